import { z } from "zod";

/**
 * The v4 API envelope every Cloudflare REST response is wrapped in.
 * The emulator produces it and the control plane parses it, so both sides
 * share one definition.
 */
export const ApiMessage = z.object({
  code: z.number().int(),
  message: z.string(),
  documentation_url: z.string().optional(),
  error_chain: z.array(z.object({ code: z.number().int(), message: z.string() })).optional(),
});
export type ApiMessage = z.infer<typeof ApiMessage>;

export const ResultInfo = z
  .object({
    page: z.number().int().optional(),
    per_page: z.number().int().optional(),
    count: z.number().int().optional(),
    total_count: z.number().int().optional(),
    total_pages: z.number().int().optional(),
    cursor: z.string().optional(),
  })
  .loose();
export type ResultInfo = z.infer<typeof ResultInfo>;

export const envelopeOf = <T extends z.ZodType>(result: T) =>
  z.object({
    success: z.boolean(),
    errors: z.array(ApiMessage),
    messages: z.array(ApiMessage),
    result: result.nullable(),
    result_info: ResultInfo.optional(),
  });

export type Envelope<T> = {
  success: boolean;
  errors: ApiMessage[];
  messages: ApiMessage[];
  result: T | null;
  result_info?: ResultInfo;
};

export function successEnvelope<T>(result: T, resultInfo?: ResultInfo): Envelope<T> {
  return resultInfo === undefined
    ? { success: true, errors: [], messages: [], result }
    : { success: true, errors: [], messages: [], result, result_info: resultInfo };
}

export function failureEnvelope(errors: ApiMessage[]): Envelope<never> {
  return { success: false, errors, messages: [], result: null };
}
