/** The shape of one run option: its flag (also the job-file key), type, help text and group. */

export type OptionType = 'string' | 'number' | 'boolean' | 'list';

export interface OptionDef {
  /** Long flag name, also the job-file key. */
  readonly flag: string;
  readonly alias?: string;
  readonly type: OptionType;
  readonly describe: string;
  /** Shown in --help; the real default is applied by resolveSpec. */
  readonly defaultDescription?: string;
  readonly choices?: readonly string[];
  readonly group: 'Input' | 'Model' | 'AWS' | 'Batch' | 'Scheduling' | 'Output' | 'Progress and logs';
}
