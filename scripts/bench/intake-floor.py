"""What SQLite itself spends on each enquiry row, by the part of the schema that costs it.

Copies a freshly migrated database, then inserts 6,400 enquiries in groups of 16 (the group
size intake.sh sees with 32 connections), each group one transaction as EnquiryWriter commits
them, with: every index and trigger; with the search index written in each commit, as before
migration 039; without the search backlog's row; without the count triggers; without the list
indexes; with none of them. Prints microseconds per row, and for the schema as shipped what
indexing the backlog 256 rows a transaction (EnquirySearchBacklog) adds per row.
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


DOCUMENT = ("coalesce(NEW.first_name, '') || ' ' || coalesce(NEW.last_name, '') || char(10) || coalesce(NEW.email, '') "
            "|| char(10) || coalesce(NEW.company, '') || char(10) || coalesce(NEW.extra_fields, '')")
INLINE_SEARCH = ("CREATE TRIGGER contact_submissions_search_insert AFTER INSERT ON contact_submissions BEGIN "
                 f"INSERT INTO contact_submissions_search (rowid, person, phone) VALUES (NEW.id, {DOCUMENT}, NEW.phone); END")
INDEX_STEP = ("INSERT INTO contact_submissions_search (rowid, person, phone) SELECT id, "
              + DOCUMENT.replace("NEW.", "") + ", phone FROM contact_submissions WHERE id IN "
              "(SELECT id FROM contact_submissions_search_pending ORDER BY id LIMIT 256)")
INDEX_DONE = ("DELETE FROM contact_submissions_search_pending WHERE id IN "
              "(SELECT id FROM contact_submissions_search_pending ORDER BY id LIMIT 256)")


def fresh(drop_triggers=(), drop_indexes=False, then=None):
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
    if then:
        db.execute(then)
    if drop_indexes:
        for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND "
                                  "tbl_name = 'contact_submissions' AND sql IS NOT NULL").fetchall():
            db.execute(f"DROP INDEX {name}")
    return db


search = ["contact_submissions_search_insert"]  # since 039: the backlog's row
counts = ["contact_submissions_count_insert", "contact_submissions_day_insert"]
print(f"{'schema':44s} {'us per row':>10s}")
for label, triggers, indexes, then in [
        ("as shipped (indexes, search backlog, counts)", [], False, None),
        ("search indexed in each commit (before 039)", search, False, INLINE_SEARCH),
        ("without the search backlog's row", search, False, None),
        ("without the count triggers", counts, False, None),
        ("without the list indexes", [], True, None),
        ("bare table", search + counts, True, None)]:
    db = fresh(triggers, indexes, then)
    started = time.perf_counter()
    for values in groups:
        db.execute("BEGIN")
        db.execute(INSERT, values).fetchall()
        db.execute("COMMIT")
    print(f"{label:44s} {(time.perf_counter() - started) / (GROUP * GROUPS) * 1e6:10.1f}")
    if not triggers and not indexes:
        started = time.perf_counter()
        while True:
            db.execute("BEGIN")
            db.execute(INDEX_STEP)
            moved = db.execute(INDEX_DONE).rowcount
            db.execute("COMMIT")
            if moved < 256:
                break
        print(f"{'  + indexing the backlog, 256 a transaction':44s} {(time.perf_counter() - started) / (GROUP * GROUPS) * 1e6:10.1f}")
