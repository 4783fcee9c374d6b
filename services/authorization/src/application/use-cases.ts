import { addMember } from './add-member.js';
import { bootstrapInstance } from './bootstrap-instance.js';
import { changeMemberRole } from './change-member-role.js';
import { changeOwnPassword } from './change-own-password.js';
import { createProject } from './create-project.js';
import { createUser } from './create-user.js';
import { deleteProject } from './delete-project.js';
import { deleteUser } from './delete-user.js';
import { issueApiKey } from './issue-api-key.js';
import { logIn } from './log-in.js';
import { logOut } from './log-out.js';
import type { AccessTokenSigner, Clock, Ids, PasswordHasher, Secrets, SigningKeyFactory, UnitOfWork } from './ports.js';
import { refreshSession } from './refresh-session.js';
import { removeMember } from './remove-member.js';
import { revokeApiKey } from './revoke-api-key.js';
import { rotateSigningKeys } from './rotate-signing-keys.js';
import type { Settings } from './settings.js';
import { switchProject } from './switch-project.js';
import { updateOwnProfile } from './update-own-profile.js';
import { updateProject } from './update-project.js';
import { updateUser } from './update-user.js';

export type Dependencies = {
  uow: UnitOfWork;
  clock: Clock;
  ids: Ids;
  hasher: PasswordHasher;
  secrets: Secrets;
  signer: AccessTokenSigner;
  keyFactory: SigningKeyFactory;
  settings: Settings;
};

type InputOf<F> = F extends (deps: never, input: infer I) => unknown ? I : never;

/** Binds every use case to its dependencies once. */
export function makeUseCases(deps: Dependencies) {
  return {
    bootstrapInstance: (input: InputOf<typeof bootstrapInstance>) => bootstrapInstance(deps, input),
    rotateSigningKeys: (input: InputOf<typeof rotateSigningKeys>) => rotateSigningKeys(deps, input),
    logIn: (input: InputOf<typeof logIn>) => logIn(deps, input),
    refreshSession: (input: InputOf<typeof refreshSession>) => refreshSession(deps, input),
    switchProject: (input: InputOf<typeof switchProject>) => switchProject(deps, input),
    logOut: (input: InputOf<typeof logOut>) => logOut(deps, input),
    createUser: (input: InputOf<typeof createUser>) => createUser(deps, input),
    updateUser: (input: InputOf<typeof updateUser>) => updateUser(deps, input),
    deleteUser: (input: InputOf<typeof deleteUser>) => deleteUser(deps, input),
    changeOwnPassword: (input: InputOf<typeof changeOwnPassword>) => changeOwnPassword(deps, input),
    updateOwnProfile: (input: InputOf<typeof updateOwnProfile>) => updateOwnProfile(deps, input),
    createProject: (input: InputOf<typeof createProject>) => createProject(deps, input),
    updateProject: (input: InputOf<typeof updateProject>) => updateProject(deps, input),
    deleteProject: (input: InputOf<typeof deleteProject>) => deleteProject(deps, input),
    addMember: (input: InputOf<typeof addMember>) => addMember(deps, input),
    changeMemberRole: (input: InputOf<typeof changeMemberRole>) => changeMemberRole(deps, input),
    removeMember: (input: InputOf<typeof removeMember>) => removeMember(deps, input),
    issueApiKey: (input: InputOf<typeof issueApiKey>) => issueApiKey(deps, input),
    revokeApiKey: (input: InputOf<typeof revokeApiKey>) => revokeApiKey(deps, input),
  };
}

export type UseCases = ReturnType<typeof makeUseCases>;
