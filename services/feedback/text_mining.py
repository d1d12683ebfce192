"""Text mining of open answers in English and Chinese: keywords and how many answers use them,
recurring themes, and a positive/negative split (pure functions).

Chinese is segmented with jieba; English words are grouped by their Snowball stem (so
"exercise" and "exercises" count as one keyword, shown as the form answers use most). Themes
and sentiment come from the small bilingual lexicon below, applied clause by clause, so "the
trainer was clear but the pace was too fast" is positive about the trainer and negative about
the pace. Negations flip an English sentiment word ("not clear"); Chinese negated phrases
(不清楚, 不够) are lexicon entries of their own, matched before the words they contain.
"""
import logging
import re
import warnings
from collections import Counter

import snowballstemmer

with warnings.catch_warnings():  # jieba 0.42 imports pkg_resources, which warns on import
    warnings.simplefilter("ignore")
    import jieba

jieba.setLogLevel(logging.WARNING)

EN, ZH = "en", "zh"
TOP_KEYWORDS = 20
CJK = re.compile(r"[\u4e00-\u9fff]")
CLAUSES = re.compile(r"[.!?;,，。！？；、\n]+|\bbut\b|\bhowever\b|但是|不过|可是|但")
ENGLISH_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")
NEGATIONS = {"not", "no", "never", "hardly", "don't", "didn't", "wasn't", "isn't", "weren't", "aren't",
             "couldn't", "can't", "won't", "nothing", "without"}
NEGATION_REACH = 3  # words after a negation that it flips

ENGLISH_STOPWORDS = set("""
a about above after again all also am an and any are as at be because been before being below between both
by can could did do does doing down during each even ever every few for from further get got had has have
having he her here hers him his how i if in into is it its itself just let like lot lots me more most much
must my myself next now of off on once only or other our ours out over own please quite rather really same
she should so some such than that the their theirs them then there these they this those through time to
too under until up us very was way we well were what when where which while who whom why will with would
you your yours yourself session training course day today bit thing things maybe still us one two
""".split())
CHINESE_STOPWORDS = set("""
我们 你们 他们 这个 那个 这些 那些 一些 一点 一下 有点 非常 比较 可以 没有 觉得 希望 还是 如果 因为 所以
时候 今天 什么 然后 就是 还有 已经 其中 而且 并且 以及 或者 自己 大家 这次 本次 这样 那样 怎么 真的 特别
""".split())

# theme -> English stems, Chinese words
THEMES = {
    "content": ({"content", "topic", "materi", "exampl", "case", "theori", "practic", "relev", "depth", "detail"},
                ("内容", "例子", "案例", "知识", "理论", "实际", "深度", "细节", "主题")),
    "trainer": ({"trainer", "teacher", "instructor", "present", "explain", "explan", "answer", "patient", "speaker"},
                ("讲师", "老师", "讲解", "讲得", "解释", "回答", "耐心", "讲课")),
    "pace": ({"pace", "fast", "slow", "speed", "rush", "hurri", "quick", "time", "long", "short"},
             ("节奏", "太快", "太慢", "速度", "时间", "时长", "仓促", "拖沓")),
    "exercises": ({"exercis", "hands", "lab", "demo", "practic", "task", "tri"},
                  ("练习", "实操", "动手", "演示", "操作", "实践")),
    "materials": ({"slide", "handout", "document", "materi", "manual", "notes", "record"},
                  ("资料", "课件", "讲义", "文档", "幻灯片", "材料", "录像")),
    "technology": ({"audio", "sound", "video", "connect", "platform", "network", "lag", "microphon", "screen"},
                   ("声音", "音频", "视频", "网络", "卡顿", "平台", "屏幕", "麦克风", "掉线")),
    "organisation": ({"room", "venu", "organ", "coffe", "lunch", "locat", "cater", "park"},
                     ("教室", "场地", "组织", "安排", "休息", "地点")),
}
POSITIVE_EN = {"good", "great", "excel", "clear", "help", "use", "practic", "interest", "enjoy", "love",
               "like", "perfect", "patient", "engag", "easi", "well", "best", "thank", "valuabl", "insight",
               "fun", "nice", "amaz", "brilliant", "fantast", "satisfi", "relev", "knowledg"}
NEGATIVE_EN = {"bad", "poor", "confus", "bore", "difficult", "hard", "unclear", "fast", "slow", "rush",
               "long", "lag", "noisi", "problem", "issu", "wast", "disappoint", "lack", "miss", "broken",
               "terribl", "aw", "complic", "short", "hurri", "outdat", "break", "cold", "hot", "crash"}
POSITIVE_ZH = ("清楚", "清晰", "有用", "实用", "满意", "喜欢", "很好", "不错", "生动", "耐心", "专业", "有帮助",
               "收获", "精彩", "易懂", "详细", "有趣", "感谢", "受益")
# Matched (and removed) before the positive words: several contain one.
NEGATIVE_ZH = ("不清楚", "不清晰", "不够", "不好", "不实用", "不满意", "听不清", "看不清", "太快", "太慢", "太长",
               "太短", "太难", "枯燥", "无聊", "混乱", "卡顿", "掉线", "难懂", "仓促", "拖沓", "失望", "没用",
               "浪费", "复杂", "过时")

_stemmer = snowballstemmer.stemmer("english")


def stem(word):
    return _stemmer.stemWord(word.replace("'", ""))


def language_of(text):
    return ZH if CJK.search(text) else EN


def keywords_of(text):
    """The answer's keywords as (key, shown form, language): Chinese words of two or more
    characters, English words of three or more letters, stopwords left out."""
    found = []
    for token in jieba.lcut(text) if CJK.search(text) else ENGLISH_WORD.findall(text.lower()):
        token = token.strip().lower()
        if CJK.fullmatch(token[:1] or " ") and len(token) >= 2 and all(CJK.match(char) for char in token):
            if token not in CHINESE_STOPWORDS:
                found.append((token, token, ZH))
        elif ENGLISH_WORD.fullmatch(token) and len(token) >= 3 and token not in ENGLISH_STOPWORDS \
                and token not in NEGATIONS:
            found.append((stem(token), token, EN))
    return found


def clause_findings(clause):
    """(themes, sentiment score) of one clause."""
    themes, score = set(), 0
    if CJK.search(clause):
        rest = clause
        for phrase in NEGATIVE_ZH:
            if phrase in rest:
                score -= rest.count(phrase)
                rest = rest.replace(phrase, " ")
        score += sum(rest.count(word) for word in POSITIVE_ZH)
        themes |= {theme for theme, (_, words) in THEMES.items() if any(word in clause for word in words)}
    words = ENGLISH_WORD.findall(clause.lower())
    stems = [stem(word) for word in words]
    negated_until = -1
    for index, (word, word_stem) in enumerate(zip(words, stems)):
        if word in NEGATIONS:
            negated_until = index + NEGATION_REACH
            continue
        polarity = (word_stem in POSITIVE_EN) - (word_stem in NEGATIVE_EN)
        score += -polarity if index <= negated_until else polarity
    themes |= {theme for theme, (theme_stems, _) in THEMES.items() if theme_stems & set(stems)}
    return themes, score


def sentiment_label(score):
    return "positive" if score > 0 else "negative" if score < 0 else "neutral"


def analyse(texts):
    """Keywords (how many answers use each), themes with their positive and negative answers,
    and the sentiment split of the answers."""
    texts = [text.strip() for text in texts if text and text.strip()]
    keyword_counts, shown_forms, languages = Counter(), {}, Counter()
    theme_counts = {theme: Counter() for theme in THEMES}
    sentiment = Counter({"positive": 0, "negative": 0, "neutral": 0})
    for text in texts:
        languages[language_of(text)] += 1
        keys = {}
        for key, shown, language in keywords_of(text):
            keys[(key, language)] = shown
            shown_forms.setdefault((key, language), Counter())[shown] += 1
        keyword_counts.update(keys.keys())
        total, touched = 0, {}
        for clause in filter(str.strip, CLAUSES.split(text)):
            themes, score = clause_findings(clause)
            total += score
            for theme in themes:
                touched.setdefault(theme, set()).add(sentiment_label(score))
        sentiment[sentiment_label(total)] += 1
        for theme, labels in touched.items():
            theme_counts[theme].update(["count"] + [label for label in labels if label != "neutral"])
    keywords = [{"word": shown_forms[key].most_common(1)[0][0], "language": key[1], "count": count}
                for key, count in sorted(keyword_counts.items(), key=lambda entry: (-entry[1], entry[0]))][:TOP_KEYWORDS]
    themes = sorted(({"theme": theme, "count": counts["count"], "positive": counts["positive"],
                      "negative": counts["negative"]} for theme, counts in theme_counts.items() if counts["count"]),
                    key=lambda theme: (-theme["count"], theme["theme"]))
    return {"answers": len(texts), "languages": dict(languages), "keywords": keywords, "themes": themes,
            "sentiment": dict(sentiment)}
