"""Demo learners; each can sign in as their `subject` to read their own archive."""
LEARNERS = (("Ada", "Lovelace", "Analytical Engines Ltd"), ("Grace", "Hopper", "Cobol Retail"),
            ("Alan", "Turing", "Bletchley Logistics"))


def load(client):
    client.shared["learners"] = [
        client.post("/learners", {"first_name": first, "last_name": last, "organisation": org,
                                  "email": f"{first.lower()}.{last.lower()}@example.com",
                                  "subject": f"{first.lower()}.{last.lower()}"}, "specialist")
        for first, last, org in LEARNERS]
