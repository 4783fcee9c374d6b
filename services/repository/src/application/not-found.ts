/** Rejections shared by the use cases: what the caller's project does not hold answers 404, whoever asks. */
export type ProjectNotKnown = { readonly type: 'ProjectNotKnown' };
export type SourceNotFound = { readonly type: 'SourceNotFound' };
export type ScanNotFound = { readonly type: 'ScanNotFound' };
export type SourceNameTaken = { readonly type: 'SourceNameTaken'; readonly name: string };

export const sourceNotFound: SourceNotFound = { type: 'SourceNotFound' };
