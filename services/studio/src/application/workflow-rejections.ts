/** Rejections of the workflows' use cases that the domain does not make. */
export type WorkflowNotFound = { readonly type: 'WorkflowNotFound' };
export type WorkflowVersionNotFound = { readonly type: 'WorkflowVersionNotFound'; readonly version: number };
export type WorkflowNameTaken = { readonly type: 'WorkflowNameTaken'; readonly name: string };
/** Deleting what a live version of a workflow uses (an action version, a variable, a secret) is refused, naming the workflows. */
export type ActionVersionInUse = { readonly type: 'ActionVersionInUse'; readonly actionId: string; readonly version: string; readonly workflows: readonly string[] };
export type VariableInUse = { readonly type: 'VariableInUse'; readonly name: string; readonly workflows: readonly string[] };
export type SecretInUse = { readonly type: 'SecretInUse'; readonly name: string; readonly workflows: readonly string[] };

export const workflowNotFound: WorkflowNotFound = { type: 'WorkflowNotFound' };
