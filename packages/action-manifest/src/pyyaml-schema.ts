import type { ScalarTag, Tags } from 'yaml';

/**
 * How PyYAML's safe loader (what Ryax reads ryax_metadata.yaml with) types a plain scalar: YAML
 * 1.1 as PyYAML implements it, which is not what the `yaml` package's own 1.1 schema does. PyYAML
 * reads `y`, `n`, `1e3`, `0o17` and `-.5` as strings; `yes`, `on` and `off` as booleans; `0755`
 * as octal; `1:30` as 90; `2024-01-31` as a date. Quoted scalars are always strings.
 */

const TAG = 'tag:yaml.org,2002:';

const NULL = /^(?:~|null|Null|NULL|)$/;
/** In lower case, capitalised or in capitals only (`yes`, `Yes`, `YES`; not `yEs`, nor `y`). */
const BOOL = /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/;
const TRUE = ['yes', 'true', 'on'];
const FALSE = ['no', 'false', 'off'];

/** Base 2, 8 (a leading 0), 10, 16, or base 60 (`1:30`); underscores are ignored. */
const INT = new RegExp(
  '^[-+]?(?:' + ['0b[01_]+', '0[0-7_]+', '0', '[1-9][0-9_]*', '0x[0-9a-fA-F_]+', '[1-9][0-9_]*(?::[0-5]?[0-9])+'].join('|') + ')$',
);

/** A float needs a dot; an exponent needs a sign; `.5` takes no sign; `.inf` does, `.nan` does not. */
const FLOAT = new RegExp(
  '^(?:' +
    [
      '[-+]?[0-9][0-9_]*\\.[0-9_]*(?:[eE][-+][0-9]+)?',
      '\\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?',
      '[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\\.[0-9_]*',
      '[-+]?\\.(?:inf|Inf|INF)',
      '\\.(?:nan|NaN|NAN)',
    ].join('|') +
    ')$',
);

const DATE = '([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})';
const TIME = '([0-9]{1,2}):([0-9]{2}):([0-9]{2})(?:\\.([0-9]*))?';
const ZONE = '(?:[ \\t]*(Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?';
/** A date alone takes two-digit months and days; a date with a time may take one digit. */
const TIMESTAMP = new RegExp(`^(?:[0-9]{4}-[0-9]{2}-[0-9]{2}|${DATE}(?:[Tt]|[ \\t]+)${TIME}${ZONE})$`);
const DATE_ONLY = new RegExp(`^${DATE}$`);

function signed(text: string): { readonly sign: number; readonly digits: string } {
  const bare = text.replaceAll('_', '');
  if (bare.startsWith('-')) return { sign: -1, digits: bare.slice(1) };
  return { sign: 1, digits: bare.startsWith('+') ? bare.slice(1) : bare };
}

/** `1:30:15` → 5415 (each part a digit of base 60). */
function base60(digits: string): number {
  return digits.split(':').reduce((total, part) => total * 60 + Number(part), 0);
}

function toInt(text: string, onError: (message: string) => void): number {
  const { sign, digits } = signed(text);
  let value: number;
  if (digits === '0') value = 0;
  else if (digits.startsWith('0b')) value = parseInt(digits.slice(2), 2);
  else if (digits.startsWith('0x')) value = parseInt(digits.slice(2), 16);
  else if (digits.startsWith('0')) value = parseInt(digits, 8);
  else if (digits.includes(':')) value = base60(digits);
  else value = parseInt(digits, 10);
  if (Number.isNaN(value)) onError(`PyYAML cannot read ${text} as an integer`);
  return sign * value || 0;
}

function toFloat(text: string, onError: (message: string) => void): number {
  const { sign, digits } = signed(text.toLowerCase());
  if (digits === '.inf') return sign * Infinity;
  if (digits === '.nan') return NaN;
  const value = sign * (digits.includes(':') ? base60(digits) : Number(digits));
  if (Number.isNaN(value)) onError(`PyYAML cannot read ${text} as a number`);
  return value;
}

function toBool(text: string, onError: (message: string) => void): boolean {
  const lower = text.toLowerCase();
  if (!TRUE.includes(lower) && !FALSE.includes(lower)) onError(`PyYAML cannot read ${text} as true or false`);
  return TRUE.includes(lower);
}

function toDate(text: string, onError: (message: string) => void): Date {
  const dateOnly = DATE_ONLY.exec(text);
  const parts = dateOnly ?? new RegExp(`^${DATE}(?:[Tt]|[ \\t]+)${TIME}${ZONE}$`).exec(text);
  if (parts === null) onError(`PyYAML cannot read ${text} as a date`);
  const [year, month, day, hour, minute, second, fraction, zone] = (parts ?? []).slice(1);
  const milliseconds = Math.round(Number(`0.${fraction ?? '0'}`) * 1000);
  let time = Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour ?? 0), Number(minute ?? 0), Number(second ?? 0), milliseconds);
  if (zone !== undefined && zone !== 'Z') {
    const [hours, minutes] = zone.slice(1).split(':');
    const offset = (Number(hours) * 60 + Number(minutes ?? 0)) * 60_000;
    time -= zone.startsWith('-') ? -offset : offset;
  }
  return new Date(time);
}

/** How PyYAML builds each type; an explicit tag (`!!float 1`) builds whatever it is given, or fails. */
const TYPES: readonly (Pick<ScalarTag, 'resolve'> & { readonly name: string; readonly test: RegExp })[] = [
  { name: 'null', test: NULL, resolve: () => null },
  { name: 'bool', test: BOOL, resolve: toBool },
  { name: 'float', test: FLOAT, resolve: toFloat },
  { name: 'int', test: INT, resolve: toInt },
  { name: 'timestamp', test: TIMESTAMP, resolve: toDate },
];

/** The scalar types the `yaml` package would otherwise resolve its own way. */
const REPLACED = new Set(['null', 'bool', 'int', 'float', 'timestamp', 'merge'].map((name) => `${TAG}${name}`));

/**
 * `customTags` for `parseDocument` with `version: '1.1'`: keeps the collections, strings and
 * explicit-only tags (`!!binary`, `!!set`…) and swaps the implicit scalar types for PyYAML's.
 * Merge keys (`<<`) are left as plain keys: pyyaml-source.ts merges them as PyYAML does.
 */
export function pyyamlTags(tags: Tags): Tags {
  const kept = tags.filter((tag) => typeof tag === 'string' || !REPLACED.has(tag.tag));
  const implicit = TYPES.map(({ name, test, resolve }): ScalarTag => ({ tag: `${TAG}${name}`, default: true, test, resolve }));
  const explicit = TYPES.map(({ name, resolve }): ScalarTag => ({ tag: `${TAG}${name}`, resolve }));
  return [...kept, ...implicit, ...explicit];
}
