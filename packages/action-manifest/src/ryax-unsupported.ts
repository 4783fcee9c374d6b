import { isMap, isScalar, type Node } from 'yaml';
import type { ActionKind, Runtime } from './definition.js';
import { RYAX_HTTP_SERVICE_FIELDS } from './ryax-fields.js';
import { asMap, asSeq, fieldsOf, nodeOf, readBoolean, readString, scalarValue, type Field, type Source } from './yaml-source.js';

/**
 * Ryax features Trellis cannot honour, each named with a problem of its own that says what to do
 * instead; empty ones (`dependencies: []`, `addons: {}`, `dynamic_outputs: false`) are harmless
 * and accepted. `gpu` is in readRyaxResources, overlays.nix and nix/ in load.ts.
 */
export function reportUnsupported(source: Source, fields: Map<string, Field>, action: { readonly kind?: ActionKind; readonly runtime?: Runtime }): void {
  reportDependencies(source, fields.get('dependencies'), action.runtime);
  reportOptions(source, fields.get('options'));
  reportAddons(source, fields.get('addons'), action.kind);
  const dynamic = fields.get('dynamic_outputs');
  if (readBoolean(source, dynamic, '"dynamic_outputs"') === true && dynamic !== undefined) {
    source.report(dynamic.key, 'unsupported_dynamic_outputs', 'outputs chosen per workflow ("dynamic_outputs: true") are not supported; declare every output under "outputs" and remove "dynamic_outputs"');
  }
}

/** What replaces Nix packages, by runtime. */
const PACKAGES_INSTEAD: Readonly<Record<Runtime, string>> = {
  python: 'list the Python packages the handler needs in requirements.txt',
  nodejs: 'list the npm packages the handler needs in package.json',
};

function reportDependencies(source: Source, field: Field | undefined, runtime: Runtime | undefined): void {
  if (field === undefined || field.value === null) return;
  const seq = asSeq(source, field, '"dependencies"');
  if (seq === undefined || seq.items.length === 0) return;
  const names = (seq.items as (Node | null)[]).map((item) => String(scalarValue(item) ?? '?')).join(', ');
  const instead = runtime === undefined ? 'list the packages the handler needs in requirements.txt (Python) or package.json (Node.js)' : PACKAGES_INSTEAD[runtime];
  source.report(field.key, 'unsupported_nix_dependencies', `Nix "dependencies" (${names}) are not installed by Trellis, which does not build with Nix; ${instead}, and remove "dependencies"`);
}

const OPTIONS_INSTEAD: Readonly<Record<string, string>> = {
  python: 'Trellis runs Python handlers with the python3 it is given, not a version chosen per action; remove "options.python"',
  nixpkgs: 'Trellis does not build with Nix, so there is no nixpkgs to pin; remove "options.nixpkgs"',
};

function reportOptions(source: Source, field: Field | undefined): void {
  if (field === undefined || field.value === null) return;
  const map = asMap(source, field.value, '"options"');
  for (const pair of map?.items ?? []) {
    const name = isScalar(pair.key) ? String(pair.key.value) : '?';
    const message = OPTIONS_INSTEAD[name] ?? `Ryax option "${name}" is not supported by Trellis; remove it`;
    source.report(pair.key as Node | null, 'unsupported_option', message);
  }
}

const ADDONS_INSTEAD: Readonly<Record<string, string>> = {
  hpc: 'Trellis does not offload actions to HPC clusters (Slurm); remove "addons.hpc" and the action runs like any other',
};

/** `http_service` is what every Ryax trigger run by Trellis has already; any other addon is named. */
function reportAddons(source: Source, field: Field | undefined, kind: ActionKind | undefined): void {
  if (field === undefined || field.value === null) return;
  const map = asMap(source, field.value, '"addons"');
  for (const pair of map?.items ?? []) {
    const key = isScalar(pair.key) ? pair.key : null;
    const name = key === null ? '?' : String(key.value);
    if (name === 'http_service' && (kind === 'Trigger' || kind === undefined)) {
      readHttpService(source, (pair.value ?? null) as Node | null);
    } else if (name === 'http_service') {
      source.report(key, 'unsupported_addon', 'only triggers (kind Source) serve HTTP on Trellis; remove "addons.http_service"');
    } else {
      source.report(key, 'unsupported_addon', ADDONS_INSTEAD[name] ?? `Ryax addon "${name}" is not supported by Trellis; remove it`);
    }
  }
}

/** `http_service: { port, endpoint_prefix, strip_path_prefix }`, checked; Trellis gives the port and prefix itself. */
function readHttpService(source: Source, node: Node | null): void {
  if (node === null || (isMap(node) && node.items.length === 0)) return;
  const map = asMap(source, node, '"addons.http_service"');
  if (map === undefined) return;
  const fields = fieldsOf(source, map, RYAX_HTTP_SERVICE_FIELDS, '"addons.http_service"');
  const port = fields.get('port');
  const value = port === undefined ? undefined : scalarValue(port.value);
  if (port !== undefined && !(typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 65_535)) {
    source.report(nodeOf(port), 'wrong_type', '"port" of "addons.http_service" must be a TCP port, a whole number from 1 to 65535');
  }
  readString(source, fields.get('endpoint_prefix'), '"endpoint_prefix" of "addons.http_service"');
  readBoolean(source, fields.get('strip_path_prefix'), '"strip_path_prefix" of "addons.http_service"');
}
