/** Rejections the project values' use cases share: what the caller's project does not hold answers 404, whoever asks. */
export type ProjectNotKnown = { readonly type: 'ProjectNotKnown' };
export type VariableNotFound = { readonly type: 'VariableNotFound'; readonly name: string };
export type SecretNotFound = { readonly type: 'SecretNotFound'; readonly name: string };

export const projectNotKnown: ProjectNotKnown = { type: 'ProjectNotKnown' };
