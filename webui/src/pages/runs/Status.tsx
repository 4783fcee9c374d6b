import type { HTMLAttributes } from 'react';
import { StatusBadge } from '../../ui/StatusBadge.js';

/**
 * A status badge that keeps its whole word: a badge clips its text when its cell or row is
 * short of room (a narrow table, a graph node), and a status must always be read in full.
 */
export function Status({ status, ...rest }: { status: string } & HTMLAttributes<HTMLSpanElement> & Record<`data-${string}`, string>) {
  return <span style={{ display: 'inline-flex', minWidth: 'max-content', flexShrink: 0 }} {...rest}><StatusBadge status={status} /></span>;
}
