import { HttpProblem } from '@trellis/platform/http/problem';
import type { ProjectNotKnown, ScanNotFound, SourceNameTaken, SourceNotFound } from '../../application/not-found.js';
import type { BuildRequestRejection } from '../../domain/build.js';
import type { ScanNotCancelable } from '../../domain/scan.js';
import type { SourceRejection } from '../../domain/source.js';

/** Every expected rejection a use case of the repository can return. */
export type Rejection = SourceRejection | ProjectNotKnown | SourceNotFound | SourceNameTaken | ScanNotFound | ScanNotCancelable | BuildRequestRejection;

/** Rejection -> problem+json with a stable code. Exhaustive: a new rejection does not compile until it is mapped. */
export function problemOf(rejection: Rejection): HttpProblem {
  switch (rejection.type) {
    case 'InvalidSourceName':
      return new HttpProblem(400, 'invalid_source_name', 'Invalid source name', `The name ${rejection.reason}.`);
    case 'InvalidSourceUrl':
      return new HttpProblem(400, 'invalid_source_url', 'Invalid source URL', `The URL ${rejection.reason}.`);
    case 'InvalidBranch':
      return new HttpProblem(400, 'invalid_branch', 'Invalid branch', `The branch ${rejection.reason}.`);
    case 'CredentialsIncomplete':
      return new HttpProblem(400, 'credentials_incomplete', 'Credentials incomplete', 'Give the password (or token) with the username; null on both removes them.');
    case 'CredentialsNotApplicable':
      return new HttpProblem(400, 'credentials_not_applicable', 'Credentials not applicable', 'A file:// source is read from this machine\'s disk and takes no credentials.');
    case 'CredentialsNeedReentry':
      return new HttpProblem(400, 'credentials_needed', 'Credentials needed again',
        'The source moves to another host (or scheme, or port): give its password or token again, or remove the credentials with "password": null.');
    case 'ManagedSource':
      return new HttpProblem(409, 'managed_source', 'Managed source', 'The standard library is managed by Trellis; it is updated with Trellis.');
    case 'ProjectNotKnown':
      return new HttpProblem(404, 'project_not_found', 'Project not found',
        'The repository does not know this project: it may have been created a moment ago (its announcement has not arrived yet) or deleted.');
    case 'SourceNotFound':
      return new HttpProblem(404, 'source_not_found', 'Source not found', 'No such source in your current project.');
    case 'SourceNameTaken':
      return new HttpProblem(409, 'source_name_taken', 'Source name taken', `The project already has a source named "${rejection.name}".`);
    case 'ScanNotFound':
      return new HttpProblem(404, 'scan_not_found', 'Scan not found', 'No such scan of this source.');
    case 'ScanNotCancelable':
      return new HttpProblem(409, 'scan_finished', 'Scan already finished', `The scan is ${rejection.status}; only a queued or running scan can be canceled.`);
    case 'NothingScanned':
      return new HttpProblem(409, 'not_scanned', 'Source not scanned', 'Builds are made from the last successful scan of the source: scan it first.');
    case 'NothingToBuild':
      return new HttpProblem(409, 'nothing_to_build', 'Nothing to build', 'The last scan of the source found no valid action (see its problems).');
    case 'UnknownActions':
      return new HttpProblem(400, 'unknown_actions', 'Unknown actions',
        `The last scan of the source has no action ${rejection.ids.map((id) => `"${id}"`).join(', ')}.`,
        rejection.ids.map((id) => ({ path: 'body.actions', message: `unknown action "${id}"` })));
  }
}
