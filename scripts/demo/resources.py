"""Demo trainer pool and two published teaching materials."""
TRAINERS = (
    ("Margaret Hamilton", ["administration", "reporting"], ["en"]),
    ("Katherine Johnson", ["reporting", "data analysis"], ["en", "fr"]),
    ("Konrad Zuse", ["integration", "administration"], ["de", "en"]),
)
MATERIALS = (
    {"title": "Platform basics for administrators: slide deck", "category": "administration",
     "topics": ["administration"], "format": "slides"},
    {"title": "Advanced reporting: hands-on exercises", "category": "reporting",
     "topics": ["reporting", "data analysis"], "format": "exercise"},
)


def load(client):
    for name, topics, languages in TRAINERS:
        client.post("/trainers", {"name": name, "email": f"{name.lower().replace(' ', '.')}@example.com",
                                  "topics": topics, "languages": languages}, "supervisor")
    for material in MATERIALS:
        draft = client.post("/materials", material, "trainer")
        client.post(f"/materials/{draft['id']}/publish", {}, "specialist")
