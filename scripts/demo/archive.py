"""Demo learners: three named ones, then a few hundred more from one CSV import (all or nothing).

Each learner signs in as their `learner_id` to read their own archive; their histories come from
the other services' demo data. Leaves `client.shared["learners"]` (the named three, first) and
`client.shared["learner_ids"]` (everyone) for the modules after this one.
"""
import itertools
import sys

import requests

from gateway.tokens import mint

NAMED = (("ada.lovelace", "Ada", "Lovelace", "Analytical Engines Ltd", "Analytics", "customer", "manufacturing"),
         ("grace.hopper", "Grace", "Hopper", "Cobol Retail", "IT", "partner", "retail"),
         ("alan.turing", "Alan", "Turing", "Bletchley Logistics", "Operations", "customer", "logistics"))
FIRST_NAMES = ("Amara", "Bruno", "Chen", "Dana", "Emil", "Farah", "Goran", "Hana", "Ivan", "Jun", "Kofi", "Lena",
               "Mateo", "Nia", "Omar", "Priya", "Quinn", "Rosa", "Sven", "Tariq", "Uma", "Viktor", "Wen", "Yara",
               "Zoë", "Łukasz", "José", "Søren")
LAST_NAMES = ("Almeida", "Berg", "Costa", "Dubois", "Eriksen", "Fischer", "García", "Haddad", "Ito", "Jansen",
              "Kowalski", "Larsen", "Müller", "Nakamura")
COMPANIES = (("Analytical Engines Ltd", "manufacturing", "customer"), ("Cobol Retail", "retail", "partner"),
             ("Bletchley Logistics", "logistics", "customer"), ("Northwind Foods", "food", "customer"),
             ("Contoso Bank", "banking", "customer"), ("Fabrikam Health", "healthcare", "partner"),
             ("Our Company", "software", "internal"))
DEPARTMENTS = ("Analytics", "Finance", "IT", "Operations", "Sales", "Support")
GENERATED = 297
COLUMNS = "learner_id,first_name,last_name,email,language,organisation,department,user_type,industry\n"


def load(client):
    named = [client.post("/learners", {
        "learner_id": learner_id, "first_name": first, "last_name": last, "organisation": company,
        "department": department, "user_type": user_type, "industry": industry, "language": "en",
        "email": f"{first.lower()}.{last.lower()}@example.com"}, "specialist")
        for learner_id, first, last, company, department, user_type, industry in NAMED]
    generated = import_learners(client, generated_csv())
    # `subject` for the modules written before learner ids became the sign-in subjects.
    client.shared["learners"] = [dict(learner, subject=learner["learner_id"]) for learner in named]
    client.shared["learner_ids"] = [learner["learner_id"] for learner in named] + generated


def generated_csv():
    people = itertools.islice(itertools.product(LAST_NAMES, FIRST_NAMES), GENERATED)
    rows = []
    for number, (last, first) in enumerate(people, start=1):
        company, industry, user_type = COMPANIES[number % len(COMPANIES)]
        learner_id = f"learner{number:03d}"
        rows.append(f"{learner_id},{first},{last},{learner_id}@example.com,{('en', 'de', 'fr', 'es')[number % 4]},"
                    f"{company},{DEPARTMENTS[number % len(DEPARTMENTS)]},{user_type},{industry}\n")
    return COLUMNS + "".join(rows)


def import_learners(client, csv_text):
    token = mint(["specialist"], "demo.specialist")
    response = requests.post(f"{client.gateway}/api/v1/learners/import", data=csv_text.encode(), timeout=30,
                             headers={"Authorization": f"Bearer {token}", "Content-Type": "text/csv"})
    if not response.ok:
        sys.exit(f"demo data: learner import failed: {response.status_code} {response.text}")
    return response.json()["learner_ids"]
