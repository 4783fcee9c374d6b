import { writeResults, type Table } from '../support/results.js';

export type StoryOutcome = {
  story: string;
  /** How this suite reproduces it. */
  how: string;
  /** Tests of the runner's own suite that cover it too. */
  alsoCoveredBy: string;
  outcome: 'passed' | 'failed';
  /** What was measured (counts, times). */
  figures: string;
};

const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

export function storiesTable(outcomes: readonly StoryOutcome[]): Table {
  return {
    headers: ['story', 'how tested', 'also covered by', 'outcome', 'figures'],
    rows: outcomes.map((o) => [cell(o.story), cell(o.how), cell(o.alsoCoveredBy), o.outcome, cell(o.figures)]),
  };
}

/** Writes results/stories.json and .md and prints the table (support/results.ts). */
export function writeStoryResults(outcomes: readonly StoryOutcome[]): Promise<void> {
  return writeResults('stories', 'The failure stories of other engines', storiesTable(outcomes), outcomes);
}
