// @ts-check
import addressparser from 'nodemailer/lib/addressparser';
import { ActionError } from './errors.js';

/**
 * A recipient list as a user writes it: "a@example.com, Bob <b@example.com>", or a JSON list
 * of such strings (what a previous step's list output becomes). Empty gives [].
 * @param {unknown} given
 * @param {string} input the input's name, for the message
 * @returns {string[]}
 */
export function addressList(given, input) {
  if (given === null || given === undefined) return [];
  if (Array.isArray(given)) return given.flatMap((item) => addressList(item, input));
  const text = String(given).trim();
  if (text === '') return [];
  if (text.startsWith('[')) {
    /** @type {unknown} */
    let parsed;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new ActionError(`${input} starts with [ but is not a JSON list of addresses`, 'bad_address');
    }
    return addressList(parsed, input);
  }
  return addressparser(text, { flatten: true }).map((entry) => checked(entry, text, input));
}

/** @param {string} given @param {string} input */
export function singleAddress(given, input) {
  const list = addressList(given, input);
  if (list.length !== 1) throw new ActionError(`${input} must be one address, e.g. "Reports <reports@example.com>"`, 'bad_address');
  return /** @type {string} */ (list[0]);
}

/**
 * @param {{ name?: string, address?: string }} entry
 * @param {string} text @param {string} input
 */
function checked(entry, text, input) {
  const address = entry.address ?? '';
  // One @ with something on both sides and no spaces or controls: what every SMTP server needs.
  if (!/^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:".]+$/.test(address) && !/^[^\s@]+@\[[0-9a-fA-F.:]+\]$/.test(address)) {
    throw new ActionError(`${input} has an address that is not one: ${JSON.stringify(entry.address || text)}`, 'bad_address');
  }
  return entry.name ? `${JSON.stringify(entry.name)} <${address}>` : address;
}
