import { z } from 'zod';

/* Request bodies and parameters: their shape (the rules of names, URLs and branches are the domain's, with their reasons). */

// eslint-disable-next-line no-control-regex -- control characters are exactly what these refuse
const noControl = /^[^\u0000-\u001f\u007f]*$/;
// eslint-disable-next-line no-control-regex -- the same, and the ":" that ends a basic-auth username
const usernameCharacters = /^[^:\u0000-\u001f\u007f]+$/;

const name = z.string().max(200).describe('2 to 63 lowercase letters, digits and inner ".", "_" or "-"; unique in the project');
const url = z.string().max(4096).describe('https://host/path (or http://, or file:///path for a repository on the service\'s machine); never with credentials in it');
const branch = z.string().max(1000).describe('A branch of the repository; absent or null: the remote\'s default branch');
const username = z.string().min(1).max(256).regex(usernameCharacters, 'may not hold ":" or control characters');
const password = z.string().min(1).max(4096).regex(noControl, 'may not hold control characters').describe('A password or an access token: stored sealed, never shown again');

export const createSourceBody = z.strictObject({
  name,
  url,
  branch: branch.nullable().optional(),
  username: username.optional().describe('For basic auth; default "git" when only a password or token is given'),
  password: password.optional(),
});

export const changeSourceBody = z.strictObject({
  name: name.optional(),
  url: url.optional().describe('Moving a source with credentials to another host needs its password given again (or removed)'),
  branch: branch.nullable().optional(),
  username: username.nullable().optional().describe('With a password: new credentials; null (or a null password): no credentials'),
  password: password.nullable().optional(),
});

export const buildBody = z.strictObject({
  actions: z.array(z.string().min(1).max(200)).max(500).optional().describe('The ids of the actions to build; absent: every valid action of the last scan'),
}).optional();

export const sourceParams = z.object({ id: z.uuid() });
export const scanParams = z.object({ id: z.uuid(), scanId: z.uuid() });
