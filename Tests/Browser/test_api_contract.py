"""#30: the intake API answers as its OpenAPI document says. schemathesis (PyPI) reads the
document the running server serves (/api/openapi.json) and sends generated requests, valid and
not, to /api/contact and /f/{slug}; the run fails on any 5xx, any status the document does not
list, and any answer whose type or body does not match it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import LeadBridge, stop


def test_the_intake_api_matches_its_openapi_document(folder, sandbox):
    # Rate limit off: schemathesis sends hundreds of requests from one address.
    app = LeadBridge(folder, sandbox, INTAKE_RATE_LIMIT="0")
    try:
        command = [
            sys.executable, "-m", "schemathesis.cli", "run", f"{app.url}/api/openapi.json",
            "--url", app.url,
            "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
            # The browser's Origin, as from LeadBridge's own hosted form: /f/{slug} checks it before anything else.
            "--header", f"Origin: {app.url}",
            "--max-examples", "40", "--seed", "30", "--workers", "1",
            "--phases", "examples,coverage,fuzzing",
            "--no-color",
        ]
        run = subprocess.run(command, capture_output=True, text=True, timeout=600, cwd=folder)
        report = run.stdout + run.stderr
        (Path(folder) / "schemathesis.txt").write_text(report)
        print(report[-4000:])
        assert run.returncode == 0, "schemathesis found answers that do not match docs/openapi.json:\n" + report[-6000:]
        [(rows,)] = app.sql("SELECT COUNT(*) FROM contact_submissions")
        assert rows > 0, "no generated enquiry was stored: the run tested refusals only"
    finally:
        stop(app.process)
