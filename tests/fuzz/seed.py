"""Seeds the local server for schemathesis and prints shell assignments: CLINICIAN_TOKEN,
LANDER_TOKEN (client credentials), ADMIN_TOKEN, a verified APPLICATION_ID and its APPLICANT_TOKEN, a
VISIT_ID ten minutes ahead (its join window open), the CODE of a fresh link to it, and the
JOIN_TOKEN of an earlier link's redemption. Standard library only."""

import datetime
import json
import sys
import urllib.request

base = sys.argv[1]


def call(method, path, token=None, body=None):
    request = urllib.request.Request(base + path, method=method, data=None if body is None else json.dumps(body).encode())
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(request) as response:
        return json.load(response)


tokens = call("GET", "/dev/tokens")
clinician = tokens["clinician"]
at = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M:%SZ")
visit = call("POST", "/visits", clinician, {
    "patientId": tokens["subs"]["patient"], "scheduledAt": at, "durationMinutes": 30,
    "patientContact": {"phone": "+447911123456", "email": "pat@example.com"},
})["visitId"]
earlier = call("POST", f"/visits/{visit}/links", clinician)["code"]
join_token = call("POST", f"/join/{earlier}")["joinToken"]
code = call("POST", f"/visits/{visit}/links", clinician)["code"]
# A clinician application, verified with the code from the outbox, and its applicant token.
application = call("POST", "/clinician-applications", body={
    "givenName": "Ada", "familyName": "Lovelace", "email": "fuzz@clinic.example", "npi": "1234567893",
    "licenses": [{"state": "CA", "number": "A1", "expiresOn": "2099-01-01"}],
})["applicationId"]
sent = [m for m in call("GET", "/dev/outbox")["messages"] if m["to"] == "fuzz@clinic.example"][-1]["body"]
otp = sent.split("code is ")[1][:6]
applicant = call("POST", f"/clinician-applications/{application}/verify", body={"code": otp})["applicantToken"]
seeded = [
    ("CLINICIAN_TOKEN", clinician), ("LANDER_TOKEN", tokens["lander"]), ("ADMIN_TOKEN", tokens["admin"]),
    ("VISIT_ID", visit), ("CODE", code), ("JOIN_TOKEN", join_token),
    ("APPLICATION_ID", application), ("APPLICANT_TOKEN", applicant),
]
for name, value in seeded:
    print(f"{name}='{value}'")
