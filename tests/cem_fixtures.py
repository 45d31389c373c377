"""A tiny hand-written input folder in the X-VOC data model, shared by the tests."""

from __future__ import annotations

import textwrap
from pathlib import Path

CODEBOOK = textwrap.dedent(
    """\
    study: {name: Fixture study}
    items:
      - id: ltr
        text: {en: "How likely are you to recommend us?", zh: "您有多大可能推荐我们?"}
        scale: [0, 10]
        role: outcome
        metric: nps
        owner: Head of CX
        action: Review detractor comments weekly
      - id: staff
        text: {en: "Staff were friendly", zh: "店员很友好"}
        scale: [1, 5]
        role: driver
        touchpoint: store
        stage: 1
        owner: Store operations
        action: Coaching
      - id: wait
        text: {en: "I waited too long", zh: "我等了太久"}
        scale: [1, 5]
        role: driver
        touchpoint: store
        stage: 1
        reverse: true
        owner: Store operations
        action: Staffing
      - id: attn_1
        role: attention_check
        scale: [1, 5]
        expect: 4
        owner: Research
        action: Drop failed
    """
)

RESPONSES = (
    "response_id,customer_id,survey,channel,submitted_at,duration_s,language,ltr,staff,wait,attn_1,comment\n"
    "R1,C001,rel,web,2025-01-05 10:00:00,300,en,9,4,2,4,Great staff\n"
    "R2,C002,rel,app,2025-01-06 11:00:00,280,zh,6,2,4,4,太慢了\n"
    "R3,,rel,phone,2025-01-07 12:00:00,320,en,10,5,1,4,\n"
)
CUSTOMERS = (
    "customer_id,first_seen,region,tier\nC001,2024-02-01,华东,gold\nC002,2024-03-01,华北,silver\n"
)
TRANSACTIONS = (
    "transaction_id,customer_id,ts,amount,margin,promo\n"
    "T1,C001,2025-01-01 09:00:00,100.5,30,false\nT2,C002,2025-01-02 09:00:00,-20,-5,true\n"
)
FEEDBACK = (
    "feedback_id,customer_id,channel,touchpoint,created_at,kind,text\n"
    "F1,C001,email,store,2025-01-03,complaint,Rude staff\n"
)


def write_folder(folder: Path, **overrides: str | bytes | None) -> Path:
    """Write the fixture folder; ``overrides`` replace (or, with None, remove) files by name."""
    files = {
        "codebook.yaml": CODEBOOK,
        "responses.csv": RESPONSES,
        "customers.csv": CUSTOMERS,
        "transactions.csv": TRANSACTIONS,
        "feedback.csv": FEEDBACK,
    }
    files.update({k.replace("__", "."): v for k, v in overrides.items()})
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        if content is None:
            continue
        path = folder / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return folder
