"""What SQLite itself spends on each enquiry row, by the part of the schema that costs it.

Copies a freshly migrated database, then inserts 6,400 enquiries in groups of 16 (the group
size intake.sh sees with 32 connections), each group one transaction as EnquiryWriter commits
them, with: every index and trigger; without the search index (FTS5 trigram); without the
count triggers; without the list indexes; with none of them. Prints microseconds per row.
"""
import os
import random
import sqlite3
import sys
import time

source = sqlite3.connect(sys.argv[1])
work = sys.argv[2]
COLUMNS = ("first_name,last_name,email,phone,company,service_interest,message,source,consent,"
           "consent_at,consent_text,ip,user_agent,status,created_at,updated_at")
GROUP, GROUPS = 16, 400
INSERT = (f"INSERT INTO contact_submissions ({COLUMNS}) VALUES "
          + ",".join(["(" + ",".join("?" * 16) + ")"] * GROUP) + " RETURNING id")

random.seed(1)
groups = []
for _ in range(GROUPS):
    values = []
    for _ in range(GROUP):
        k = random.randint(0, 10**9)
        values += [f"Person{k}", "Smith", f"person{k}@example.com", f"+1415555{k % 10000:04d}",
                   f"Company {k}", "Consulting", "I would like to talk about a project next month. " * 3,
                   "api", 1, 1796000000, "You may contact me", "127.0.0.1", "wrk", "pending", 1796000000, 1796000000]
    groups.append(values)


def fresh(drop_triggers=(), drop_indexes=False):
    path = os.path.join(work, "floor.sqlite")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    db = sqlite3.connect(path, isolation_level=None)
    source.backup(db)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")  # the server's default: a 201 survives a power cut
    for name in drop_triggers:
        db.execute(f"DROP TRIGGER {name}")
    if drop_indexes:
        for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND "
                                  "tbl_name = 'contact_submissions' AND sql IS NOT NULL").fetchall():
            db.execute(f"DROP INDEX {name}")
    return db


search = ["contact_submissions_search_insert"]
counts = ["contact_submissions_count_insert", "contact_submissions_day_insert"]
print(f"{'schema':44s} {'us per row':>10s}")
for label, triggers, indexes in [
        ("as shipped (8 indexes, search, counts)", [], False),
        ("without the search index (FTS5 trigram)", search, False),
        ("without the count triggers", counts, False),
        ("without the list indexes", [], True),
        ("bare table", search + counts, True)]:
    db = fresh(triggers, indexes)
    started = time.perf_counter()
    for values in groups:
        db.execute("BEGIN")
        db.execute(INSERT, values).fetchall()
        db.execute("COMMIT")
    print(f"{label:44s} {(time.perf_counter() - started) / (GROUP * GROUPS) * 1e6:10.1f}")
