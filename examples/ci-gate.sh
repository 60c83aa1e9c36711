#!/usr/bin/env bash
# Example: fail a CI job when the account drifts from the CIS monitoring controls, and print
# which controls and why. Uses plan's exit codes (0 clean, 2 findings or changes, 1 error) and
# its JSON document (docs/json.md). Requires trailwatch on PATH and jq.
#
#   AWS_PROFILE=security-audit examples/ci-gate.sh
set -uo pipefail

doc="$(trailwatch plan --json "$@")"
status=$?
case "$status" in
  0) echo "CIS monitoring controls: compliant, nothing to change"; exit 0 ;;
  2) echo "CIS monitoring controls: drift found" ;;
  *) echo "trailwatch could not audit the account (exit $status)" >&2
     [ -n "$doc" ] && jq -r '.controls[] | select(.status == "error") | "\(.id): \(.findings[0].message)"' <<<"$doc" >&2
     exit 1 ;;
esac
jq -r '.controls[] | select(.status != "compliant")
       | "\(.account_id) \(.id) [\(.status)]", (.findings[] | "    - \(.message)")' <<<"$doc"
jq -r '"\(.actions | length) action(s) would fix it: " + ([.actions[].action] | join(", "))' <<<"$doc"
exit 2
