import classes from './required.module.css';

/**
 * A required field: marked with an asterisk drawn by CSS (Mantine's `required` writes " *" into the
 * label, so the field's name would not be its name) and `aria-required` for assistive technology.
 */
export function requiredField(required = true) {
  return required ? { labelProps: { className: classes.required }, 'aria-required': true as const } : {};
}
