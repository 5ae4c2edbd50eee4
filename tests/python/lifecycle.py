"""Drives the whole secret lifecycle against a local vault with the official Python SDK.

Run by tests/sdk/sdk_python.rs. Reads the vault from the environment:
  KVTUI_VAULT_URL    https://127.0.0.1:PORT
  KVTUI_VAULT_CA     path to the vault's CA certificate (PEM)
  KVTUI_VAULT_TOKEN  the vault's bearer token

Every check is a plain assert: any failure exits nonzero with a traceback.
"""

import datetime
import os
import sys
import time
import uuid

from azure.core.credentials import AccessToken, AccessTokenInfo
from azure.core.exceptions import (
    HttpResponseError,
    ResourceExistsError,
    ResourceNotFoundError,
)
from azure.keyvault.secrets import SecretClient

VAULT_URL = os.environ["KVTUI_VAULT_URL"]
CA_FILE = os.environ["KVTUI_VAULT_CA"]
TOKEN = os.environ["KVTUI_VAULT_TOKEN"]

UTC = datetime.timezone.utc


def step(message):
    print(f"--- {message}", flush=True)


def finish(poller, what):
    """The result of a long-running operation, once its poller is done (within 20 s)."""
    result = poller.result()
    poller.wait(timeout=20)
    assert poller.done(), f"the {what} poller did not finish"
    return result


class StaticCredential:
    """Hands out the vault's token; supports both credential protocols of azure-core."""

    def __init__(self, token):
        self.token = token
        self.calls = []

    def get_token(self, *scopes, **kwargs):
        self.calls.append(("get_token", scopes))
        return AccessToken(self.token, int(time.time()) + 3600)

    def get_token_info(self, *scopes, options=None):
        self.calls.append(("get_token_info", scopes))
        return AccessTokenInfo(self.token, int(time.time()) + 3600)


class GetTokenOnlyCredential:
    """The older protocol alone: an object with get_token(*scopes, **kw) -> AccessToken."""

    def __init__(self, token):
        self.token = token
        self.calls = 0

    def get_token(self, *scopes, **kwargs):
        self.calls += 1
        assert any("vault.azure.net" in scope for scope in scopes), scopes
        return AccessToken(self.token, int(time.time()) + 3600)


class RequestLog:
    """Remembers every request the pipeline sends (method, url, whether it carried a token)."""

    def __init__(self):
        self.requests = []

    def __call__(self, request):
        http = request.http_request
        self.requests.append(
            (http.method, http.url, "Authorization" in http.headers)
        )


def make_client(credential, log=None):
    kwargs = {}
    if log is not None:
        kwargs["raw_request_hook"] = log
    return SecretClient(
        VAULT_URL,
        credential,
        verify_challenge_resource=False,
        connection_verify=CA_FILE,
        **kwargs,
    )


def status_of(error):
    return error.status_code if error.status_code is not None else error.response.status_code


def whole_seconds(moment):
    return moment.replace(microsecond=0)


def main():
    run = uuid.uuid4().hex[:8]
    credential = StaticCredential(TOKEN)
    log = RequestLog()
    client = make_client(credential, log)
    assert client.api_version == "2026-04-01", client.api_version
    assert client.vault_url == VAULT_URL.rstrip("/"), client.vault_url

    # ----------------------------------------------------------------------------- set / get
    step("set_secret with every property")
    name = f"lifecycle-{run}"
    not_before = whole_seconds(datetime.datetime.now(UTC) - datetime.timedelta(hours=1))
    expires_on = whole_seconds(datetime.datetime.now(UTC) + datetime.timedelta(days=30))
    tags = {"env": "test", "owner": "sdk-python"}
    first = client.set_secret(
        name,
        "first-value",
        content_type="text/plain",
        tags=tags,
        not_before=not_before,
        expires_on=expires_on,
        enabled=True,
    )
    assert first.name == name, first.name
    assert first.value == "first-value", first.value
    assert first.properties.content_type == "text/plain"
    assert first.properties.tags == tags, first.properties.tags
    assert first.properties.enabled is True
    assert first.properties.not_before == not_before, first.properties.not_before
    assert first.properties.expires_on == expires_on, first.properties.expires_on
    assert first.properties.created_on is not None
    assert first.properties.updated_on is not None
    assert first.properties.version, "a set must answer with a version"
    assert first.properties.vault_url == VAULT_URL.rstrip("/"), first.properties.vault_url
    assert first.id == f"{VAULT_URL.rstrip('/')}/secrets/{name}/{first.properties.version}", first.id
    assert first.properties.recovery_level == "Recoverable+Purgeable", first.properties.recovery_level
    assert first.properties.recoverable_days == 90, first.properties.recoverable_days
    # The challenge really happened: a first request without a token, then with one.
    assert log.requests[0][2] is False, log.requests[0]
    assert log.requests[1][2] is True, log.requests[1]
    assert credential.calls, "the credential was never asked for a token"
    for method, scopes in credential.calls:
        assert scopes == ("https://vault.azure.net/.default",), (method, scopes)

    step("get_secret latest and by version")
    latest = client.get_secret(name)
    assert latest.value == "first-value"
    assert latest.properties.version == first.properties.version
    assert latest.properties.tags == tags
    assert latest.properties.content_type == "text/plain"
    assert latest.properties.not_before == not_before
    assert latest.properties.expires_on == expires_on
    by_version = client.get_secret(name, first.properties.version)
    assert by_version.value == "first-value"
    assert by_version.id == first.id

    step("a second version")
    second = client.set_secret(name, "second-value")
    assert second.value == "second-value"
    assert second.properties.version != first.properties.version
    assert second.properties.tags in (None, {}), second.properties.tags
    assert second.properties.content_type is None, second.properties.content_type
    assert client.get_secret(name).value == "second-value"
    assert client.get_secret(name).properties.version == second.properties.version
    assert client.get_secret(name, first.properties.version).value == "first-value"

    step("multiline unicode value keeps exact bytes")
    tricky = "line one\nline two \u00e9\u00e8 \u2603 \U0001F511\r\n\ttabbed \"quoted\" \\ back\n\n"
    stored = client.set_secret(f"unicode-{run}", tricky)
    assert stored.value == tricky, repr(stored.value)
    fetched = client.get_secret(f"unicode-{run}")
    assert fetched.value == tricky, repr(fetched.value)
    assert fetched.value.encode("utf-8") == tricky.encode("utf-8")

    # ----------------------------------------------------------------------------- listing
    step("list_properties_of_secrets across several pages")
    bulk = [f"bulk-{run}-{index:02d}" for index in range(30)]
    for index, bulk_name in enumerate(bulk):
        client.set_secret(bulk_name, f"bulk-value-{index}", tags={"index": str(index)})
    before = len(log.requests)
    pages = list(client.list_properties_of_secrets().by_page())
    page_items = [list(page) for page in pages]
    listed = [item for page in page_items for item in page]
    assert len(page_items) >= 2, f"expected several pages, got {len(page_items)}"
    assert all(len(page) <= 25 for page in page_items), [len(page) for page in page_items]
    listed_names = [item.name for item in listed]
    assert len(listed_names) == len(set(listed_names)), "a secret was listed twice"
    expected = set(bulk) | {name, f"unicode-{run}"}
    assert set(listed_names) == expected, set(listed_names) ^ expected
    for item in listed:
        assert item.enabled is True
        assert item.version is None, "list items address the secret, not a version"
        if item.name.startswith(f"bulk-{run}-"):
            assert item.tags == {"index": str(int(item.name[-2:]))}, item.tags
        if item.name == name:
            # The list shows the latest version's properties.
            assert item.tags in (None, {}), item.tags
    paged = [url for (_, url, _) in log.requests[before:] if "skiptoken" in url.lower()]
    assert paged, "the SDK never followed a nextLink"
    for url in paged:
        assert "api-version=2026-04-01" in url, url

    step("small pages with max_page_size")
    small_pages = list(client.list_properties_of_secrets(max_page_size=7).by_page())
    small = [list(page) for page in small_pages]
    assert all(len(page) <= 7 for page in small), [len(page) for page in small]
    assert len(small) >= 5, len(small)
    assert {item.name for page in small for item in page} == expected

    step("list_properties_of_secret_versions")
    third = client.set_secret(name, "third-value")
    versions = list(client.list_properties_of_secret_versions(name))
    assert len(versions) == 3, len(versions)
    assert {v.version for v in versions} == {
        first.properties.version,
        second.properties.version,
        third.properties.version,
    }
    for version in versions:
        assert version.name == name
        assert version.id.endswith(f"/secrets/{name}/{version.version}"), version.id
    old = next(v for v in versions if v.version == first.properties.version)
    assert old.tags == tags and old.content_type == "text/plain", (old.tags, old.content_type)
    paged_versions = list(client.list_properties_of_secret_versions(name, max_page_size=1).by_page())
    assert len([p for p in paged_versions if list(p)]) == 3

    # ----------------------------------------------------------------------------- update
    step("update_secret_properties: tags and content type of the latest version")
    updated = client.update_secret_properties(
        name, tags={"stage": "updated"}, content_type="application/json"
    )
    assert updated.version == third.properties.version, updated.version
    assert updated.tags == {"stage": "updated"}, updated.tags
    assert updated.content_type == "application/json"
    assert updated.created_on == third.properties.created_on, "an update keeps the creation date"
    assert updated.updated_on >= third.properties.updated_on
    after = client.get_secret(name)
    assert after.value == "third-value", "an update must not change the value"
    assert after.properties.tags == {"stage": "updated"}
    assert after.properties.content_type == "application/json"

    step("update_secret_properties: disable an older version")
    disabled = client.update_secret_properties(name, first.properties.version, enabled=False)
    assert disabled.enabled is False
    assert disabled.version == first.properties.version
    assert disabled.tags == tags, "an update without tags keeps them"
    try:
        client.get_secret(name, first.properties.version)
        raise AssertionError("getting a disabled version must fail")
    except HttpResponseError as error:
        assert status_of(error) == 403, status_of(error)
        assert not isinstance(error, ResourceNotFoundError)
    assert client.get_secret(name).value == "third-value", "the latest version is still enabled"
    states = {v.version: v.enabled for v in client.list_properties_of_secret_versions(name)}
    assert states[first.properties.version] is False, states
    assert states[third.properties.version] is True, states
    reenabled = client.update_secret_properties(name, first.properties.version, enabled=True)
    assert reenabled.enabled is True
    assert client.get_secret(name, first.properties.version).value == "first-value"

    step("update changes the dates")
    later = whole_seconds(datetime.datetime.now(UTC) + datetime.timedelta(days=60))
    dated = client.update_secret_properties(name, expires_on=later)
    assert dated.expires_on == later, dated.expires_on

    # ----------------------------------------------------------------------------- errors
    step("errors: missing secret, missing version")
    try:
        client.get_secret(f"missing-{run}")
        raise AssertionError("a missing secret must raise")
    except ResourceNotFoundError as error:
        assert status_of(error) == 404
        assert error.error is not None and error.error.code == "SecretNotFound", error.error
    try:
        client.get_secret(name, "0" * 32)
        raise AssertionError("a missing version must raise")
    except ResourceNotFoundError as error:
        assert status_of(error) == 404
    try:
        client.update_secret_properties(f"missing-{run}", enabled=False)
        raise AssertionError("updating a missing secret must raise")
    except ResourceNotFoundError:
        pass
    try:
        client.get_deleted_secret(f"missing-{run}")
        raise AssertionError("a missing deleted secret must raise")
    except ResourceNotFoundError:
        pass
    try:
        client.set_secret("not a valid name!", "x")
        raise AssertionError("an invalid name must be refused")
    except HttpResponseError as error:
        assert status_of(error) == 400, status_of(error)
        assert error.error is not None and error.error.code == "BadParameter", error.error
    try:
        list(client.list_properties_of_secrets(max_page_size=26))
        raise AssertionError("a page size over 25 must be refused")
    except HttpResponseError as error:
        assert status_of(error) == 400, status_of(error)
        assert error.error is not None and error.error.code == "BadParameter", error.error

    # ----------------------------------------------------------------------------- delete / recover
    step("begin_delete_secret")
    deleted = finish(client.begin_delete_secret(name, _polling_interval=0.2), "delete")
    assert deleted.name == name
    assert deleted.recovery_id == f"{VAULT_URL.rstrip('/')}/deletedsecrets/{name}", deleted.recovery_id
    assert deleted.deleted_date is not None
    assert deleted.scheduled_purge_date is not None
    assert deleted.scheduled_purge_date > deleted.deleted_date
    assert deleted.properties.version == third.properties.version
    try:
        client.get_secret(name)
        raise AssertionError("a deleted secret must not be readable")
    except ResourceNotFoundError:
        pass

    step("get_deleted_secret")
    got_deleted = client.get_deleted_secret(name)
    assert got_deleted.name == name
    assert got_deleted.recovery_id == deleted.recovery_id
    assert got_deleted.properties.tags == {"stage": "updated"}, got_deleted.properties.tags
    assert got_deleted.properties.content_type == "application/json"
    assert got_deleted.deleted_date == deleted.deleted_date
    assert got_deleted.scheduled_purge_date == deleted.scheduled_purge_date

    step("setting a soft-deleted name is a 409 conflict")
    try:
        client.set_secret(name, "reuse")
        raise AssertionError("setting a soft-deleted name must fail")
    except HttpResponseError as error:
        assert status_of(error) == 409, status_of(error)

    step("list_deleted_secrets")
    deleted_list = list(client.list_deleted_secrets())
    matching = [d for d in deleted_list if d.name == name]
    assert len(matching) == 1, [d.name for d in deleted_list]
    assert matching[0].recovery_id == deleted.recovery_id
    assert matching[0].deleted_date is not None and matching[0].scheduled_purge_date is not None
    assert {d.name for d in deleted_list} == {name}, [d.name for d in deleted_list]
    assert name not in {item.name for item in client.list_properties_of_secrets()}

    step("begin_recover_deleted_secret")
    recovered = finish(client.begin_recover_deleted_secret(name, _polling_interval=0.2), "recover")
    assert recovered.name == name
    assert recovered.version == third.properties.version
    assert client.get_secret(name).value == "third-value"
    assert client.get_secret(name, first.properties.version).value == "first-value"
    assert len(list(client.list_properties_of_secret_versions(name))) == 3
    assert name not in {d.name for d in client.list_deleted_secrets()}

    step("delete again, then purge_deleted_secret")
    finish(client.begin_delete_secret(name, _polling_interval=0.2), "second delete")
    client.purge_deleted_secret(name)
    try:
        client.get_deleted_secret(name)
        raise AssertionError("a purged secret must be gone")
    except ResourceNotFoundError:
        pass
    try:
        client.purge_deleted_secret(name)
        raise AssertionError("purging twice must fail")
    except ResourceNotFoundError:
        pass
    reused = client.set_secret(name, "after-purge")
    assert reused.value == "after-purge"
    assert len(list(client.list_properties_of_secret_versions(name))) == 1

    # ----------------------------------------------------------------------------- backup / restore
    step("backup_secret / restore_secret_backup")
    backed_name = f"backed-{run}"
    b1 = client.set_secret(backed_name, "backed-v1", tags={"kept": "yes"}, content_type="text/x-one")
    b2 = client.set_secret(backed_name, tricky, content_type="text/x-two")
    blob = client.backup_secret(backed_name)
    assert isinstance(blob, bytes) and len(blob) > 0
    assert b"backed-v1" not in blob, "the backup must not hold the value in clear"
    try:
        client.restore_secret_backup(blob)
        raise AssertionError("restoring over an existing secret must fail")
    except ResourceExistsError as error:
        assert status_of(error) == 409
    client.begin_delete_secret(backed_name, _polling_interval=0.2).wait(timeout=20)
    client.purge_deleted_secret(backed_name)
    try:
        client.get_secret(backed_name)
        raise AssertionError("the purged secret must be gone before restore")
    except ResourceNotFoundError:
        pass
    restored = client.restore_secret_backup(blob)
    assert restored.name == backed_name
    assert restored.version == b2.properties.version, restored.version
    assert restored.content_type == "text/x-two"
    assert client.get_secret(backed_name).value == tricky
    old_restored = client.get_secret(backed_name, b1.properties.version)
    assert old_restored.value == "backed-v1"
    assert old_restored.properties.tags == {"kept": "yes"}
    assert old_restored.properties.content_type == "text/x-one"
    assert len(list(client.list_properties_of_secret_versions(backed_name))) == 2
    try:
        client.restore_secret_backup(b"not a backup at all")
        raise AssertionError("a garbage backup must be refused")
    except HttpResponseError as error:
        assert status_of(error) == 400, status_of(error)

    # ----------------------------------------------------------------------------- protocol
    step("every request spoke api-version 2026-04-01 over https")
    for method, url, _ in log.requests:
        assert url.startswith("https://"), url
        assert "api-version=2026-04-01" in url, (method, url)

    step("a credential with get_token only")
    simple = GetTokenOnlyCredential(TOKEN)
    plain_client = make_client(simple)
    assert plain_client.get_secret(backed_name).value == tricky
    assert simple.calls >= 1

    step("a wrong token is refused")
    wrong = make_client(GetTokenOnlyCredential("not-the-token"))
    try:
        wrong.get_secret(backed_name)
        raise AssertionError("a wrong token must be refused")
    except HttpResponseError as error:
        assert status_of(error) == 401, status_of(error)

    step("an older api-version is accepted too")
    older = SecretClient(
        VAULT_URL,
        GetTokenOnlyCredential(TOKEN),
        verify_challenge_resource=False,
        connection_verify=CA_FILE,
        api_version="7.4",
    )
    assert older.get_secret(backed_name).value == tricky

    print(f"OK: {len(log.requests)} requests", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
