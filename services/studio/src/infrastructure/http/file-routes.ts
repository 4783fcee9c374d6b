import { isMissingObject } from '@trellis/platform/object-store';
import { z } from 'zod';
import { projectRole } from '@trellis/platform/auth/access';
import { decodeCursor, listOf, pageAnswer, pageQuery } from '@trellis/platform/http/pagination';
import { valueOr } from '@trellis/platform/http/results';
import { defineRoute, projectOf, type Route } from '@trellis/platform/http/route';
import type { FileUseCases } from '../../application/file-use-cases.js';
import type { UploadedFile } from '../../domain/file.js';
import type { FileStore } from '../object-store/file-contents.js';
import type { FileQueries } from '../postgres/file-queries.js';
import { fileNotFound, problemOf } from './problems.js';

const TAGS = ['files'];

export type FileRouteDeps = { basePath: string; useCases: FileUseCases; queries: FileQueries; store: Pick<FileStore, 'read'>; maxBytes: number };

const time = z.iso.datetime({ offset: true });
const FILE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const fileSchema = z.object({
  id: z.uuid().describe('What a workflow gives a file input as its static value: `{ "file": "<id>" }`'),
  name: z.string(),
  content_type: z.string().describe('`type/subtype` as uploaded, or application/octet-stream'),
  size: z.number().int().describe('In bytes'),
  sha256: z.string().describe('SHA-256 of the content, lowercase hex'),
  created_at: time,
  created_by: z.string().describe('The user id (or API key id) that uploaded it'),
});

export function fileView(file: UploadedFile): z.output<typeof fileSchema> {
  return { id: file.id, name: file.name, content_type: file.contentType, size: file.size, sha256: file.sha256, created_at: file.createdAt.toISOString(), created_by: file.createdBy };
}

const fileParams = z.object({ id: z.string().max(100) });
const notFound = { description: 'file_not_found: no such file in your current project' };

/** Ids that are not UUIDs name no file (a 404, as an unknown one). */
function fileIdOf(id: string): string {
  if (!FILE_ID.test(id)) throw fileNotFound();
  return id.toLowerCase();
}

/** RFC 8187: what `filename*=UTF-8''...` may hold as it is; everything else percent-encoded. */
const attachment = (name: string) => `attachment; filename*=UTF-8''${encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`;

/** Uploaded files: given to actions as static values of file inputs (`{ file: <id> }`). */
export function makeFileRoutes(deps: FileRouteDeps): Route[] {
  const { basePath, useCases, queries, store } = deps;
  const found = async (projectId: string, id: string) => {
    const file = await queries.file(projectId, fileIdOf(id));
    if (!file) throw fileNotFound();
    return file;
  };
  return [
    defineRoute({
      method: 'post', path: '/files', operationId: 'studioUploadFile', tags: TAGS, access: projectRole('developer'),
      summary: 'Upload a file: the body is the file, of any content type',
      description: 'Streamed to the object store as it arrives (its SHA-256 and size computed on the way); the answer comes once it is stored. '
        + 'A workflow gives it to a file input as `{ "file": "<id>" }`.',
      query: z.object({ name: z.string().describe('The file\'s name (what an action sees): 1 to 255 characters, no "/", "\\" or control character') }),
      upload: { description: 'The file\'s bytes; its Content-Type is kept as a plain `type/subtype` (application/octet-stream when there is none).', maxBytes: deps.maxBytes },
      responses: {
        201: { description: 'Stored', schema: fileSchema }, 400: { description: 'invalid_file_name, or invalid_request (no name, no body)' },
        404: { description: 'project_not_found: studio has not heard of the project yet' }, 413: { description: 'payload_too_large: over TRELLIS_UPLOAD_MAX_BYTES' },
      },
      handler: async ({ query, upload, context }) => {
        if (!upload) throw new Error('an upload route without its upload');
        const { projectId, caller } = projectOf(context);
        const file = valueOr(await useCases.uploadFile({
          projectId, name: query.name, contentType: upload.contentType, content: upload.stream, by: caller.userId ?? caller.credentialId,
        }), problemOf);
        context.logger.info('file uploaded', { project_id: projectId, file_id: file.id, size: file.size, sha256: file.sha256, content_type: file.contentType });
        return { status: 201, body: fileView(file), headers: { location: `${basePath}/files/${file.id}` } };
      },
    }),
    defineRoute({
      method: 'get', path: '/files', operationId: 'studioListFiles', tags: TAGS, access: projectRole('viewer'),
      summary: 'The project\'s uploaded files, by name',
      query: z.object({ ...pageQuery, search: z.string().max(200).optional().describe('Only names that contain this text (any case)') }),
      responses: { 200: { description: 'One page of files', schema: listOf(fileSchema) } },
      handler: async ({ query, context }) => {
        const after = decodeCursor(query.cursor, z.tuple([z.string(), z.string().regex(FILE_ID)]));
        const page = await queries.list(projectOf(context).projectId, query.search, { limit: query.limit, after: after && [after[0], after[1].toLowerCase()] });
        return { status: 200, body: pageAnswer(page, fileView, (file) => [file.name, file.id]) };
      },
    }),
    defineRoute({
      method: 'get', path: '/files/:id', operationId: 'studioGetFile', tags: TAGS, access: projectRole('viewer'),
      summary: 'One file\'s name, type, size and SHA-256',
      params: fileParams,
      responses: { 200: { description: 'The file', schema: fileSchema }, 404: notFound },
      handler: async ({ params, context }) => ({ status: 200, body: fileView(await found(projectOf(context).projectId, params.id)) }),
    }),
    defineRoute({
      method: 'get', path: '/files/:id/content', operationId: 'studioGetFileContent', tags: TAGS, access: projectRole('viewer'),
      summary: 'The file\'s bytes, as an attachment of its content type',
      description: 'User content: served as a download (content-disposition: attachment) that a browser neither sniffs nor runs (nosniff, a sandboxing content security policy).',
      params: fileParams,
      responses: { 200: { description: 'The content', contentType: '*/*' }, 404: notFound },
      handler: async ({ params, context }) => {
        const file = await found(projectOf(context).projectId, params.id);
        // A file deleted between its row and its bytes (a DELETE at the same moment) is not found,
        // as it would have been a moment later.
        const body = await store.read(file.object).catch((error: unknown) => {
          if (isMissingObject(error)) throw fileNotFound();
          throw error;
        });
        return {
          status: 200,
          body,
          headers: {
            'content-type': file.contentType,
            'content-length': String(file.size),
            'content-disposition': attachment(file.name),
            'x-content-type-options': 'nosniff',
            'content-security-policy': "default-src 'none'; sandbox",
            'cache-control': 'private, no-cache',
          },
        };
      },
    }),
    defineRoute({
      method: 'delete', path: '/files/:id', operationId: 'studioDeleteFile', tags: TAGS, access: projectRole('developer'),
      summary: 'Delete a file with its content; refused while a deployed workflow uses it',
      params: fileParams,
      responses: { 204: { description: 'Deleted' }, 404: notFound, 409: { description: 'file_in_use: the deployed workflows that use it are named' } },
      handler: async ({ params, context }) => {
        valueOr(await useCases.deleteFile({ projectId: projectOf(context).projectId, fileId: fileIdOf(params.id) }), problemOf);
        return { status: 204 };
      },
    }),
  ];
}
