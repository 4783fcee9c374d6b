import { Button, CloseButton, Group, Stack, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import type { Json } from '../draft.js';
import { errorOf, nameError } from './fields.js';
import type { Offer } from './references.js';
import { ValueField } from './ValueField.js';

/*
 * A map of names to values edited as rows (a workflow's results, a schedule's inputs): the rows
 * are kept here, so a name being typed (empty, or the same as another for a moment) does not lose
 * its row; the map given back has the named rows, the first of a repeated name winning.
 */

type Row = { key: number; name: string; value: Json | undefined };

type Props = {
  /** "Result", "Schedule input": rows are groups "<noun> <name>", names "<noun> name". */
  noun: string;
  values: Record<string, Json> | undefined;
  onChange: (values: Record<string, Json> | undefined) => void;
  offers: readonly Offer[];
  /** The value editor's type ('string': text, usually a reference; 'json': typed JSON). */
  valueType: 'string' | 'json';
  /** Studio's messages by name. */
  byField: Map<string, string[]>;
  readOnly: boolean;
  empty: string;
};

const rowsOf = (values: Record<string, Json> | undefined): Row[] => Object.entries(values ?? {}).map(([name, value], key) => ({ key, name, value }));

function recordOf(rows: readonly Row[]): Record<string, Json> | undefined {
  const record: Record<string, Json> = {};
  for (const row of rows) if (row.name !== '' && !(row.name in record)) record[row.name] = row.value ?? null;
  return Object.keys(record).length === 0 ? undefined : record;
}

export function NamedValues({ noun, values, onChange, offers, valueType, byField, readOnly, empty }: Props) {
  const [rows, setRows] = useState<Row[]>(() => rowsOf(values));
  const [synced, setSynced] = useState(() => JSON.stringify(values ?? null));
  // Changed elsewhere (undo, another selection): start again from the document.
  const now = JSON.stringify(values ?? null);
  if (now !== synced) {
    setSynced(now);
    setRows(rowsOf(values));
  }
  const update = (next: Row[]) => {
    setRows(next);
    const record = recordOf(next);
    setSynced(JSON.stringify(record ?? null));
    onChange(record);
  };
  const nextKey = rows.reduce((max, row) => Math.max(max, row.key), -1) + 1;
  const lower = noun.toLowerCase();

  return (
    <Stack gap="sm">
      {rows.length === 0 ? <Text size="sm" c="dimmed">{empty}</Text> : null}
      {rows.map((row, at) => {
        const label = row.name || `${noun} ${at + 1} value`;
        const others = rows.filter((_, other) => other < at).map((other) => other.name);
        return (
          <Group key={row.key} role="group" aria-label={`${noun} ${row.name || at + 1}`} align="flex-start" gap="xs" wrap="nowrap">
            <TextInput
              label={`${noun} name`} w={150} readOnly={readOnly} value={row.name} error={nameError(row.name, others)}
              onChange={(event) => update(rows.map((other) => (other.key === row.key ? { ...other, name: event.currentTarget.value } : other)))}
            />
            <div style={{ flex: 1, minWidth: 0 }}>
              <ValueField
                untyped port={{ name: label, type: valueType, optional: true, help: valueType === 'json' ? 'JSON (3, "text", [1, 2]) or a reference' : 'Text or a reference' }} value={row.value ?? undefined} readOnly={readOnly} offers={offers}
                error={errorOf(byField, row.name)}
                onChange={(value) => update(rows.map((other) => (other.key === row.key ? { ...other, value } : other)))}
              />
            </div>
            {readOnly ? null : <CloseButton mt={30} aria-label={`Remove ${lower} ${row.name || at + 1}`} onClick={() => update(rows.filter((other) => other.key !== row.key))} />}
          </Group>
        );
      })}
      {readOnly ? null : <Button variant="light" size="xs" w="fit-content" onClick={() => update([...rows, { key: nextKey, name: '', value: undefined }])}>Add {/^[aeiou]/.test(lower) ? 'an' : 'a'} {lower}</Button>}
    </Stack>
  );
}
