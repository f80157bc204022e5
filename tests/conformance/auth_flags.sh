# Sourced by tests/conformance/client.sh: maps an auth/* scenario and its
# MCP_CONFORMANCE_CONTEXT (credentials) to `mcpwatch probe` flags in the array auth_flags, as an
# operator would configure the target; no protocol logic. Every auth scenario's server offers
# test-tool, and calling it is what reaches step-up (403 insufficient_scope on tools/call).
# Secrets go through an environment variable or a private temporary file, never argv.
auth_flags=()
auth_context=${MCP_CONFORMANCE_CONTEXT:-'{}'}
auth_ctx() { jq -r --arg k "$1" '.[$k] // empty' <<<"$auth_context"; }
case "${MCP_CONFORMANCE_SCENARIO:-}" in
  auth/client-credentials-basic)
    MCPWATCH_CONFORMANCE_SECRET=$(auth_ctx client_secret)
    export MCPWATCH_CONFORMANCE_SECRET
    auth_flags=(--auth client_credentials --client-id "$(auth_ctx client_id)"
                --client-secret-env MCPWATCH_CONFORMANCE_SECRET) ;;
  auth/client-credentials-jwt)
    auth_key=$(mktemp)  # mode 0600
    trap 'rm -f "$auth_key"' EXIT
    auth_ctx private_key_pem >"$auth_key"
    auth_flags=(--auth client_credentials --client-id "$(auth_ctx client_id)"
                --private-key-file "$auth_key") ;;
  auth/pre-registration)
    MCPWATCH_CONFORMANCE_SECRET=$(auth_ctx client_secret)
    export MCPWATCH_CONFORMANCE_SECRET
    auth_flags=(--auth oauth --client-id "$(auth_ctx client_id)"
                --client-secret-env MCPWATCH_CONFORMANCE_SECRET) ;;
  auth/basic-cimd)
    # The scenario's authorization server expects this Client ID Metadata Document URL.
    auth_flags=(--auth oauth
                --client-metadata-url https://conformance-test.local/client-metadata.json) ;;
  auth/dpop | auth/dpop-nonce)
    auth_flags=(--auth oauth --dpop) ;;
  auth/*)
    auth_flags=(--auth oauth) ;;
esac
case "${MCP_CONFORMANCE_SCENARIO:-}" in
  auth/*) auth_flags+=(--tool test-tool) ;;
esac
