"""Walk a seller through the running stack, as the README's "try it" does by hand.

    python scripts/walk.py [--gateway http://127.0.0.1:8000] [--email you@example.com]
                           [--sandbox http://127.0.0.1:8300]

Signs in through the Amazon sandbox, connects its demo seller, waits for the first
sync and its detection, imports the demo seller's unit costs as a CSV file, runs
detection again so every finding has a value, and prints the recoveries found.
Needs `make run` running.
"""

from __future__ import annotations

import argparse
import sys
import time
from html.parser import HTMLParser
from urllib.parse import urljoin

import httpx

DEMO_SELLER_ID = "A1CLARIODEMO01"


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {key: value or "" for key, value in attrs}
        if tag == "form":
            self.forms.append((values.get("action", ""), {}))
        elif tag == "input" and self.forms and values.get("name"):
            self.forms[-1][1][values["name"]] = values.get("value", "")


def forms(page: httpx.Response) -> list[tuple[str, dict[str, str]]]:
    parser = _Forms()
    parser.feed(page.text)
    return [(urljoin(str(page.url), action), fields) for action, fields in parser.forms]


def step(message: str) -> None:
    print(f"==> {message}", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gateway", default="http://127.0.0.1:8000")
    parser.add_argument("--email", default="demo.seller@example.com")
    parser.add_argument("--sandbox", default="http://127.0.0.1:8300")
    args = parser.parse_args()
    gateway = args.gateway.rstrip("/")
    origin = {"Origin": gateway}

    with httpx.Client(timeout=30) as client:
        step("sign in with Amazon (sandbox)")
        start = client.get(f"{gateway}/auth/amazon/start")
        page = client.get(start.headers["location"])
        action, fields = forms(page)[0]
        fields.update(email=args.email, name="Demo Seller", decision="allow")
        approved = client.post(action, data=fields)
        client.get(approved.headers["location"])
        me = client.get(f"{gateway}/api/auth/me").json()["data"]
        print(f"    signed in as {me['email']} ({me['id']})")

        step("connect Seller Central (sandbox demo seller)")
        consent_url = client.get(f"{gateway}/api/v1/integrations/connect-amazon").json()
        page = client.get(consent_url["data"]["auth_url"])
        action, fields = next(
            (a, f)
            for a, f in forms(page)
            if f.get("selling_partner_id") == DEMO_SELLER_ID
        )
        confirmed = client.post(action, data=fields)
        client.get(confirmed.headers["location"])

        step("wait for the first sync")
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            sync = client.get(f"{gateway}/api/sync/status").json()
            data = sync.get("data") or {}
            progress = f"{data.get('progress')}% {data.get('message')}"
            print(f"    {data.get('status')}: {progress}")
            if data.get("status") in ("completed", "failed", "cancelled"):
                break
            time.sleep(3)
        else:
            print("the sync did not finish in 5 minutes", file=sys.stderr)
            return 1

        step("wait for the first detection")
        for _ in range(30):
            history = client.get(f"{gateway}/api/detections/history").json()
            runs = history["data"]["items"]
            if runs and runs[0]["status"] in ("completed", "failed"):
                break
            time.sleep(2)

        step("import the demo seller's unit costs and run detection again")
        manifest = client.get(
            f"{args.sandbox.rstrip('/')}/_sandbox/sellers/{DEMO_SELLER_ID}/planted"
        ).json()
        lines = ["sku,unit_cost,currency"]
        lines += [
            f"{cost['msku']},{cost['unit_cost']},{manifest['currency']}"
            for cost in manifest["unit_costs"]
        ]
        imported = client.post(
            f"{gateway}/api/unit-costs/import",
            files={"file": ("costs.csv", "\n".join(lines) + "\n", "text/csv")},
            headers=origin,
        ).json()
        print(f"    unit costs: {imported['data']}")
        run = client.post(f"{gateway}/api/detections/run", headers=origin).json()
        detection_id = run["data"]["id"]
        status: dict[str, object] = {}
        for _ in range(60):
            status = client.get(
                f"{gateway}/api/detections/status/{detection_id}"
            ).json()["data"]
            if status["status"] in ("completed", "failed", "cancelled"):
                break
            time.sleep(1)
        print(f"    detection {detection_id}: {status['status']}")

        step("list recoveries")
        listing = client.get(f"{gateway}/api/recoveries?limit=200&sort=-amount").json()
        items: list[dict[str, object]] = listing["data"]["items"]
        for item in items:
            amount = item["amount"]
            assert isinstance(amount, dict)
            print(
                f"    {item['type']:<25} {item['sku']} x{item['quantity']:<3} "
                f"{amount['value']:>8} {amount['currency']}  {item['confidence']}"
            )
        print(f"{len(items)} recoveries; open {gateway}/docs to explore the API")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
