"""Demo plan for the current year, submitted and approved."""
from datetime import date


def load(client):
    plan = client.post("/plans", {
        "year": date.today().year,
        "title": f"Customer training plan {date.today().year}",
        "goals": ["Every new customer administrator certified within 90 days",
                  "Cut 'how do I' support tickets by 20%"],
        "items": [
            {"title": "Platform basics for administrators", "format": "online", "audience": "new administrators",
             "quarter": 1, "capacity": 40},
            {"title": "Advanced reporting workshop", "format": "classroom", "audience": "power users",
             "quarter": 2, "capacity": 16},
            {"title": "Retail industry case studies", "format": "case_study", "audience": "retail customers",
             "quarter": 3, "capacity": 25},
        ],
    }, "specialist")
    client.post(f"/plans/{plan['id']}/submit", {}, "specialist")
    client.post(f"/plans/{plan['id']}/approve", {"comment": "Approved for the year."}, "manager")
    client.shared["plan"] = plan
