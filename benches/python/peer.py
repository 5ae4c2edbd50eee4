"""The official Python SDK's side of `cargo bench --bench scale`: one operation per process, as a
user's one-shot script would run it (interpreter start and imports included).

  peer.py list              list_properties_of_secrets(); prints how many
  peer.py versions NAME     list_properties_of_secret_versions(NAME); prints how many
  peer.py show NAME         get_secret(NAME); prints its name
  peer.py get-many FILE     get_secret for each of a JSON list of {url, ca, token, name}, one
                            after another, one client per vault made up front; prints each value
  peer.py set-many FILE     set_secret for each of kvtui's export JSON ({"secrets": [{name,
                            value, contentType, tags}]}), one after another, as a script
                            importing a file would; prints how many

Reads the vault from KVTUI_VAULT_URL, KVTUI_VAULT_CA and KVTUI_VAULT_TOKEN, as tests/python does
(get-many from its FILE).
"""

import json
import os
import sys
import time

from azure.core.credentials import AccessToken, AccessTokenInfo
from azure.keyvault.secrets import SecretClient


class StaticCredential:
    """The local vault's token, for both credential protocols of azure-core."""

    def __init__(self, token):
        self.token = token

    def get_token(self, *scopes, **kwargs):
        return AccessToken(self.token, int(time.time()) + 3600)

    def get_token_info(self, *scopes, options=None):
        return AccessTokenInfo(self.token, int(time.time()) + 3600)


def client_for(url, token, ca):
    return SecretClient(
        url,
        StaticCredential(token),
        verify_challenge_resource=False,
        connection_verify=ca,
    )


def get_many(path):
    """What a script resolving a list of secrets over several vaults does."""
    with open(path) as file:
        wanted = json.load(file)
    vault_of = lambda entry: (entry["url"], entry["token"], entry["ca"])
    clients = {vault: client_for(*vault) for vault in set(map(vault_of, wanted))}
    for entry in wanted:
        print(clients[vault_of(entry)].get_secret(entry["name"]).value)


def set_many(client, path):
    """What a script importing a file of secrets does: set_secret for each, in turn."""
    with open(path) as file:
        secrets = json.load(file)["secrets"]
    for entry in secrets:
        client.set_secret(
            entry["name"],
            entry["value"],
            content_type=entry.get("contentType"),
            tags=entry.get("tags"),
        )
    print(len(secrets))


def main():
    command = sys.argv[1]
    if command == "get-many":
        get_many(sys.argv[2])
        return
    client = client_for(
        os.environ["KVTUI_VAULT_URL"],
        os.environ["KVTUI_VAULT_TOKEN"],
        os.environ["KVTUI_VAULT_CA"],
    )
    if command == "list":
        print(sum(1 for _ in client.list_properties_of_secrets()))
    elif command == "versions":
        print(sum(1 for _ in client.list_properties_of_secret_versions(sys.argv[2])))
    elif command == "show":
        print(client.get_secret(sys.argv[2]).name)
    elif command == "set-many":
        set_many(client, sys.argv[2])
    else:
        sys.exit(f"unknown command {command!r}")


if __name__ == "__main__":
    main()
