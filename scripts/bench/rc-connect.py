#!/usr/bin/env python3
"""Connects a running LeadBridge to the RingCentral sandbox the way an admin does: sign in,
press Connect, approve on RingCentral's consent page, come back to the callback.

usage: rc-connect.py APP_URL EMAIL PASSWORD
"""
import html
import http.cookiejar
import re
import sys
import urllib.error
import urllib.parse
import urllib.request


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def main():
    app, email, password = sys.argv[1:4]
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)

    def request(url, form=None):
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        try:
            response = opener.open(urllib.request.Request(url, data=data))
            return response.status, response.headers, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read().decode()

    def csrf(page):
        # Once signed in, the token is bound to the session: read it from the page, as a browser's form does.
        return html.unescape(re.search(r'name="_csrf" value="([^"]+)"', page).group(1))

    _, _, page = request(app + "/admin/login")
    status, headers, _ = request(app + "/admin/login", {"email": email, "password": password, "_csrf": csrf(page)})
    assert status == 303, f"sign-in failed ({status})"
    _, _, page = request(app + "/admin/integrations/ringcentral")
    status, headers, body = request(app + "/admin/integrations/ringcentral/connect", {"_csrf": csrf(page)})
    # An onward page (200) whose meta refresh goes to RingCentral, so the CSP's form-action stays 'self'.
    onward = re.search(r'http-equiv="refresh" content="0; url=([^"]+)"', body)
    assert status == 200 and onward, f"connect failed ({status}): {body[:300]}"
    authorize = html.unescape(onward.group(1))
    status, _, page = request(authorize)
    assert status == 200, f"consent page failed ({status}): {page[:300]}"
    fields = {name: html.unescape(value) for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page)}
    fields["decision"] = "approve"
    base = authorize.split("/restapi/")[0]
    status, headers, body = request(base + "/restapi/oauth/authorize", fields)
    assert status in (302, 303), f"approval failed ({status}): {body[:300]}"
    status, headers, body = request(headers["Location"])
    assert status == 303 and "Connected" in urllib.parse.unquote(headers["Location"]), f"callback failed ({status}): {body[:300]}"
    print("connected:", urllib.parse.unquote(headers["Location"].split("notice=")[1]))


if __name__ == "__main__":
    main()
