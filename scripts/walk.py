"""Walk a seller through the running stack, as the README's "try it" does by hand.

    python scripts/walk.py [--gateway http://127.0.0.1:8000] [--email you@example.com]

Signs in through the Amazon sandbox, connects its demo seller, waits for the first
sync and its detection, and prints the recoveries found. Needs `make run` running.
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
    args = parser.parse_args()
    gateway = args.gateway.rstrip("/")

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

        step("wait for detection and list recoveries")
        items: list[dict[str, object]] = []
        for _ in range(30):
            listing = client.get(f"{gateway}/api/recoveries?limit=200").json()
            items = listing["data"]["items"]
            if items:
                break
            time.sleep(2)
        for item in items:
            amount = item["amount"]
            assert isinstance(amount, dict)
            print(
                f"    {item['type']:<18} {item['fnsku']} x{item['quantity']:<3} "
                f"{amount['value']:>8} {amount['currency']}  {item['confidence']}"
            )
        print(f"{len(items)} recoveries; open {gateway}/docs to explore the API")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
