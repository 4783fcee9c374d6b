// @ts-check
// render-template: fills a Liquid template (https://liquidjs.com) with JSON data. Liquid runs no
// JavaScript; what is left to guard is files (no include from disk), prototypes (own properties
// only), and time and memory (the limits below).
import { Liquid } from 'liquidjs';
import { ActionError } from './errors.js';

const LIMITS = {
  parseLimit: 1_000_000, // characters of template
  renderLimit: 5_000, // milliseconds spent rendering
  memoryLimit: 50_000_000, // characters allocated by strings and lists while rendering
};

/**
 * @param {{ template?: string, data?: unknown, format?: string }} inputs
 */
export async function handle(inputs) {
  if (typeof inputs.template !== 'string') throw new ActionError('template is missing', 'bad_input');
  const format = inputs.format ?? 'text';
  if (format !== 'text' && format !== 'html') throw new ActionError('format must be text or html', 'bad_input');
  const data = inputs.data ?? {};
  if (typeof data !== 'object' || Array.isArray(data)) throw new ActionError('data must be a JSON object: its keys are the template\'s variables', 'bad_input');

  const liquid = new Liquid({
    templates: {}, // an empty in-memory file system: {% include %} and {% render %} find nothing on disk
    ownPropertyOnly: true, // {{ x.constructor }} and {{ x.__proto__ }} are empty
    strictFilters: true, // a misspelt filter is an error, not a silent no-op
    ...(format === 'html' ? { outputEscape: /** @type {const} */ ('escape') } : {}),
    ...LIMITS,
  });
  let parsed;
  try {
    parsed = liquid.parse(inputs.template);
  } catch (error) {
    throw errorOf(error, 'bad_template', 'the template does not parse');
  }
  try {
    return { text: await liquid.render(parsed, data) };
  } catch (error) {
    throw errorOf(error, 'render_failed', 'the template failed to render');
  }
}

/**
 * @param {unknown} error
 * @param {string} code
 * @param {string} what
 */
function errorOf(error, code, what) {
  const message = error instanceof Error ? error.message : String(error);
  if (/limit exceeded/.test(message)) {
    return new ActionError(`${what}: ${message} (limits: ${LIMITS.parseLimit} characters of template, ${LIMITS.renderLimit} ms, ${LIMITS.memoryLimit} characters of memory)`, 'render_limit');
  }
  return new ActionError(`${what}: ${message}`, code);
}
