import { Avatar } from '@mantine/core';
import { useLogo } from '../../api/library.js';

/** The action's logo, or its initials when it has none. */
export function ActionLogo({ actionId, name, hasLogo, size = 40 }: { actionId: string; name: string; hasLogo: boolean; size?: number }) {
  const { data: url } = useLogo(actionId, hasLogo);
  const initials = name.split(/\s+/).map((word) => word[0] ?? '').join('').slice(0, 2).toUpperCase();
  return <Avatar src={url ?? null} alt={`${name} logo`} size={size} radius="sm" color="green">{initials}</Avatar>;
}
