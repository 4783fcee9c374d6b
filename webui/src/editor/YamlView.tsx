import { Alert, Textarea } from '@mantine/core';
import { useEffect, useRef, useState } from 'react';
import { parse, stringify } from 'yaml';
import type { WorkflowDraft } from './draft.js';

/** The draft as YAML, written as an export writes it (block style, no folding). */
export function draftYaml(draft: WorkflowDraft): string {
  return stringify(draft, { lineWidth: 0, indentSeq: true });
}

/** Reads YAML typed by a person: the document, or why it does not read (with the line). */
export function readYaml(text: string): { ok: true; draft: WorkflowDraft } | { ok: false; error: string } {
  try {
    const value = parse(text, { prettyErrors: true, uniqueKeys: true }) as unknown;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return { ok: false, error: 'The document must be a mapping (apiVersion, kind, name, trigger, steps…).' };
    const shape = shapeError(value as Record<string, unknown>);
    return shape ? { ok: false, error: shape } : { ok: true, draft: value as WorkflowDraft };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

const isMap = (value: unknown) => value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * What the canvas needs to draw a document at all (a list of steps, each a mapping with an id; a
 * trigger and results that are mappings). Everything else a person may get wrong is studio's to
 * name, as problems.
 */
function shapeError(document: Record<string, unknown>): string | undefined {
  const steps = document['steps'];
  if (!Array.isArray(steps)) return 'steps must be a list (write steps: [] for none).';
  const index = steps.findIndex((step) => !isMap(step) || typeof (step as Record<string, unknown>)['id'] !== 'string');
  if (index >= 0) return `steps[${index}] must be a mapping with an id.`;
  if (!isMap(document['trigger'])) return 'trigger must be a mapping with a type (manual, http, schedule, action).';
  if (document['results'] !== undefined && !isMap(document['results'])) return 'results must be a mapping of names to values.';
  return undefined;
}

/**
 * The draft as YAML that stays in step both ways: a change on the canvas rewrites the text; an
 * edit of the text that reads as a document changes the draft (a text that does not read is
 * shown with its error and not applied).
 */
export function YamlView({ draft, readOnly, onChange }: { draft: WorkflowDraft; readOnly: boolean; onChange: (draft: WorkflowDraft) => void }) {
  const [text, setText] = useState(() => draftYaml(draft));
  const [error, setError] = useState<string>();
  // The draft this text made: when the draft changes to something else, the text follows it.
  const applied = useRef<WorkflowDraft>(draft);
  useEffect(() => {
    if (draft === applied.current) return;
    applied.current = draft;
    setText(draftYaml(draft));
    setError(undefined);
  }, [draft]);
  return (
    <>
      <Textarea label="YAML" value={text} readOnly={readOnly} autosize minRows={16} maxRows={40} spellCheck={false}
        styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)', fontSize: 12 } }}
        error={error ? 'Not applied: the YAML does not read' : undefined}
        onChange={(event) => {
          const next = event.currentTarget.value;
          setText(next);
          const read = readYaml(next);
          if (!read.ok) {
            setError(read.error);
            return;
          }
          setError(undefined);
          applied.current = read.draft;
          onChange(read.draft);
        }} />
      {error && <Alert color="red" title="YAML error" role="alert" mt="xs"><pre style={{ margin: 0, whiteSpace: 'pre-wrap', fontSize: 12 }}>{error}</pre></Alert>}
    </>
  );
}
