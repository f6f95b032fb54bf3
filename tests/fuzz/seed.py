"""Seeds the local server for schemathesis and prints shell assignments: CLINICIAN_TOKEN,
LANDER_TOKEN (client credentials), ADMIN_TOKEN, a
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
for name, value in [("CLINICIAN_TOKEN", clinician), ("LANDER_TOKEN", tokens["lander"]), ("ADMIN_TOKEN", tokens["admin"]), ("VISIT_ID", visit), ("CODE", code), ("JOIN_TOKEN", join_token)]:
    print(f"{name}='{value}'")
