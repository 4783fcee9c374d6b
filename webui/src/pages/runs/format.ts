/** An instant as the person's local date and time; a dash when there is none yet. */
export const when = (text: string | null | undefined) => (text ? new Date(text).toLocaleString() : '—');
