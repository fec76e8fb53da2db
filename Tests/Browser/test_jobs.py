"""The Jobs page: a job that failed for good is sent back to the queue by a person."""

from steps import connect_suitedash, send_enquiry, wait_until


def test_a_failed_job_is_retried_from_the_jobs_page(person, server, sandbox):
    connect_suitedash(person, sandbox)

    sandbox.control("/_sandbox/suitedash/switches", {"validationMessage": "Contacts are paused on this plan."})
    send_enquiry(person, "Ada", email="ada@example.com")
    wait_until(lambda: server.sql("SELECT COUNT(*) FROM failed_jobs")[0][0] == 1,
               what="the sync job failed")
    person.open("/admin/jobs")
    person.see("Contacts are paused on this plan.")
    person.screenshot("jobs-failed")

    sandbox.control("/_sandbox/suitedash/switches", {})
    person.press("Retry")
    wait_until(lambda: server.sql("SELECT status FROM contact_submissions")[0][0] == "synced", what="the retried sync")
    person.open("/admin/jobs")
    person.see("No failed jobs.")
    person.screenshot("jobs")
    person.open("/admin")
    person.screenshot("dashboard")
