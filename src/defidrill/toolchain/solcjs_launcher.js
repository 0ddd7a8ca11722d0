#!/usr/bin/env node
// A solc-compatible command line around solc-js (the official compiler built to
// WebAssembly), so py-solc-x and ape-solidity can drive it like a native solc.
// Why: no native solc is reachable offline, and the `solcjs` CLI prints a banner
// line before its JSON, which breaks `--standard-json` consumers.
// Usage: launcher.js --solcjs-module DIR [--version | --standard-json [--base-path P] [--allow-paths P]]
'use strict';
const fs = require('fs');
const path = require('path');

const argv = process.argv.slice(2);
function takeOption(name) {
  const i = argv.indexOf(name);
  if (i < 0) return null;
  const value = argv[i + 1];
  argv.splice(i, 2);
  return value;
}
const moduleDir = takeOption('--solcjs-module');
const solc = require(moduleDir || 'solc');
const basePath = takeOption('--base-path') || process.cwd();
const allowPaths = (takeOption('--allow-paths') || '').split(',').filter(Boolean);
const includePaths = [];
let p;
while ((p = takeOption('--include-path')) !== null) includePaths.push(p);

if (argv.includes('--version')) {
  process.stdout.write('solc, the solidity compiler commandline interface\nVersion: ' + solc.version() + '\n');
  process.exit(0);
}
if (!argv.includes('--standard-json')) {
  process.stderr.write('solcjs launcher: only --version and --standard-json are supported\n');
  process.exit(2);
}

function findImport(importPath) {
  const roots = [basePath, ...includePaths, ...allowPaths, process.cwd()];
  for (const root of roots) {
    const candidate = path.isAbsolute(importPath) ? importPath : path.join(root, importPath);
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) {
      return { contents: fs.readFileSync(candidate, 'utf8') };
    }
  }
  return { error: 'File not found: ' + importPath + ' (searched ' + roots.join(', ') + ')' };
}

const input = fs.readFileSync(0, 'utf8');
process.stdout.write(solc.compile(input, { import: findImport }));
