/**
 * A form's state: its values, an error per field (from the shared valibot schema before sending,
 * then from the API's `issues` and codes), one error for the whole form, and whether a request runs.
 */
import { tick } from "svelte";
import * as v from "valibot";
import type { ErrorCode, Issue } from "@agorusta/core/errors";
import { toIssues } from "@agorusta/core/schemas";
import { ApiError } from "./api.ts";

export interface FormOptions<Values, S extends v.GenericSchema> {
  /** The contract's request schema, checked before anything is sent. */
  schema: S;
  initial: Values;
  /** Values as typed (a select gives strings) → what the schema checks and the API gets. */
  toBody?: (values: Values) => unknown;
  action: (body: v.InferOutput<S>) => Promise<void>;
  /** API error codes that belong to one field (`email_taken` → `email`). */
  fieldFor?: Partial<Record<ErrorCode, keyof Values & string>>;
}

export class Form<Values extends Record<string, unknown>, S extends v.GenericSchema = v.GenericSchema> {
  values: Values;
  errors = $state<Record<string, string>>({});
  formError = $state<string | null>(null);
  pending = $state(false);
  #options: FormOptions<Values, S>;

  constructor(options: FormOptions<Values, S>) {
    this.#options = options;
    this.values = $state(structuredClone(options.initial));
  }

  /** The `onsubmit` handler. */
  submit = async (event?: SubmitEvent): Promise<void> => {
    event?.preventDefault();
    if (this.pending) return;
    const formElement = event?.currentTarget instanceof HTMLFormElement ? event.currentTarget : null;
    this.formError = null;
    const body = (this.#options.toBody ?? ((x) => x))(this.values);
    const parsed = v.safeParse(this.#options.schema, body);
    if (!parsed.success) {
      this.#show(toIssues(parsed.issues));
      return focusFirstInvalid(formElement);
    }
    this.errors = {};
    this.pending = true;
    try {
      await this.#options.action(parsed.output);
    } catch (e) {
      this.#fail(e);
      await focusFirstInvalid(formElement);
    } finally {
      this.pending = false;
    }
  };

  /** A field's error goes once the person edits it. */
  touched(name: string): void {
    if (name in this.errors) {
      const { [name]: _, ...rest } = this.errors;
      this.errors = rest;
    }
    this.formError = null;
  }

  reset(): void {
    Object.assign(this.values, structuredClone(this.#options.initial));
    this.errors = {};
    this.formError = null;
  }

  /** The first message per field next to it; one about no field of this form, above the button. */
  #show(issues: Issue[]) {
    const errors: Record<string, string> = {};
    for (const issue of issues) {
      if (issue.path in this.#options.initial) errors[issue.path] ??= issue.message;
      else this.formError ??= issue.message;
    }
    this.errors = errors;
  }

  #fail(e: unknown) {
    if (!(e instanceof ApiError)) {
      this.formError = "Something went wrong. Try again.";
      console.error(e);
      return;
    }
    const field = e.code === "network" ? undefined : this.#options.fieldFor?.[e.code];
    if (e.issues.length) this.#show(e.issues);
    else if (field) this.errors = { [field]: e.message };
    else this.formError = e.message;
  }
}


async function focusFirstInvalid(form: HTMLFormElement | null) {
  await tick();
  form?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
}
