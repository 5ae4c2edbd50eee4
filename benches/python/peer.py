"""The official Python SDK's side of `cargo bench --bench scale`: one operation per process, as a
user's one-shot script would run it (interpreter start and imports included).

  peer.py list              list_properties_of_secrets(); prints how many
  peer.py versions NAME     list_properties_of_secret_versions(NAME); prints how many
  peer.py show NAME         get_secret(NAME); prints its name

Reads the vault from KVTUI_VAULT_URL, KVTUI_VAULT_CA and KVTUI_VAULT_TOKEN, as tests/python does.
"""

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


def main():
    client = SecretClient(
        os.environ["KVTUI_VAULT_URL"],
        StaticCredential(os.environ["KVTUI_VAULT_TOKEN"]),
        verify_challenge_resource=False,
        connection_verify=os.environ["KVTUI_VAULT_CA"],
    )
    command = sys.argv[1]
    if command == "list":
        print(sum(1 for _ in client.list_properties_of_secrets()))
    elif command == "versions":
        print(sum(1 for _ in client.list_properties_of_secret_versions(sys.argv[2])))
    elif command == "show":
        print(client.get_secret(sys.argv[2]).name)
    else:
        sys.exit(f"unknown command {command!r}")


if __name__ == "__main__":
    main()
