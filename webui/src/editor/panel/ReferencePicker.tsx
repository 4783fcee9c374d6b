import { ActionIcon, Button, Code, Group, Popover, ScrollArea, Stack, Text, TextInput, UnstyledButton } from '@mantine/core';
import { useId, useState, type KeyboardEvent } from 'react';
import { asTemplate, describeType, type Offer } from './references.js';

/*
 * The reference picker: a searchable list of what a value may read (`trigger.x`, `steps.s1.n`,
 * `vars.NAME`, `secrets.NAME`, …), each with its type; those whose type cannot fill the field are
 * listed disabled with the reason (the same rule studio checks), so nobody wonders where they went.
 * An expression can be typed instead.
 */

type PickerProps = {
  offers: readonly Offer[];
  /** Called with the reference as written inside `${{ }}`. */
  onChoose: (text: string) => void;
};

export function ReferencePicker({ offers, onChoose }: PickerProps) {
  const [search, setSearch] = useState('');
  const [active, setActive] = useState(0);
  const id = useId();
  const matching = offers.filter((offer) => offer.text.toLowerCase().includes(search.trim().toLowerCase()));
  // What fits first; what does not after it, with the reason.
  const shown = [...matching.filter((offer) => offer.fit.ok), ...matching.filter((offer) => !offer.fit.ok)];
  const choosable = shown.filter((offer) => offer.fit.ok);
  const activeOffer = choosable[Math.min(active, choosable.length - 1)];
  const optionId = (text: string) => `${id}-${text.replace(/[^\w-]/g, '_')}`;

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      const step = event.key === 'ArrowDown' ? 1 : -1;
      setActive((current) => (choosable.length === 0 ? 0 : (Math.min(current, choosable.length - 1) + step + choosable.length) % choosable.length));
    } else if (event.key === 'Enter' && activeOffer) {
      event.preventDefault();
      onChoose(activeOffer.text);
    }
  };

  return (
    <Stack gap="xs">
      <TextInput
        label="Search references" placeholder="trigger, steps, vars…" size="xs" data-autofocus
        value={search} onChange={(event) => { setSearch(event.currentTarget.value); setActive(0); }} onKeyDown={onKeyDown}
        role="combobox" aria-expanded aria-controls={`${id}-list`} aria-activedescendant={activeOffer ? optionId(activeOffer.text) : undefined}
      />
      <ScrollArea.Autosize mah={260} type="auto">
        <div role="listbox" aria-label="References" id={`${id}-list`} style={{ paddingRight: 12 }}>
          {shown.length === 0 ? (
            <Text size="sm" c="dimmed" p="xs">
              {offers.length === 0 ? 'Nothing to read here yet: declare trigger inputs, add steps before this one, or project variables.' : 'No reference matches the search.'}
            </Text>
          ) : shown.map((offer) => {
            const selected = offer === activeOffer;
            return (
              <UnstyledButton
                key={offer.text} component="div" role="option" id={optionId(offer.text)} aria-label={offer.text}
                aria-selected={selected} aria-disabled={!offer.fit.ok} data-reference={offer.text} data-type={describeType(offer.type)}
                onClick={() => { if (offer.fit.ok) onChoose(offer.text); }}
                p={6} w="100%" display="block"
                style={{ borderRadius: 4, cursor: offer.fit.ok ? 'pointer' : 'not-allowed', opacity: offer.fit.ok ? 1 : 0.6, background: selected ? 'var(--mantine-color-green-light)' : undefined }}
              >
                <Group gap={6} wrap="nowrap" justify="space-between">
                  <Code>{offer.text}</Code>
                  <Text size="xs" c="dimmed">{describeType(offer.type)}</Text>
                </Group>
                <Text size="xs" c={offer.fit.ok ? 'dimmed' : 'red.8'}>{offer.fit.ok ? offer.source : `Does not fit: ${offer.fit.reason}`}</Text>
              </UnstyledButton>
            );
          })}
        </div>
      </ScrollArea.Autosize>
    </Stack>
  );
}

type ButtonProps = {
  /** The field's label: the button is "Reference for <label>". */
  label: string;
  offers: readonly Offer[];
  /** Called with the new value: `${{ reference }}` or a typed `${{ expression }}`. */
  onChoose: (value: string) => void;
  disabled?: boolean;
};

/** The button next to a field that opens the picker (and a box to type an expression). */
export function ReferenceButton({ label, offers, onChoose, disabled }: ButtonProps) {
  const [opened, setOpened] = useState(false);
  const [expression, setExpression] = useState('');
  const choose = (value: string) => {
    onChoose(value);
    setOpened(false);
    setExpression('');
  };
  return (
    <Popover opened={opened} onChange={setOpened} position="bottom-end" width={340} trapFocus returnFocus shadow="md" withinPortal>
      <Popover.Target>
        <ActionIcon variant="light" color="green" aria-label={`Reference for ${label}`} disabled={disabled} onClick={() => setOpened((open) => !open)} aria-expanded={opened} aria-haspopup="dialog">
          <Text span ff="monospace" size="xs" fw={700} aria-hidden>{'{ }'}</Text>
        </ActionIcon>
      </Popover.Target>
      <Popover.Dropdown role="dialog" aria-label={`References for ${label}`}>
        <Stack gap="sm">
          <ReferencePicker offers={offers} onChoose={(text) => choose(asTemplate(text))} />
          <form onSubmit={(event) => { event.preventDefault(); if (expression.trim()) choose(asTemplate(expression.trim())); }}>
            <Group gap="xs" align="end" wrap="nowrap">
              <TextInput size="xs" label="Or an expression" placeholder="trigger.n > 0" ff="monospace" style={{ flex: 1 }} value={expression} onChange={(event) => setExpression(event.currentTarget.value)} />
              <Button size="xs" type="submit" variant="light" disabled={!expression.trim()}>Use</Button>
            </Group>
          </form>
        </Stack>
      </Popover.Dropdown>
    </Popover>
  );
}
