// Settings of the sharing rules (SPEC §8.3 private uploads): the folders of ComfyUI's input folder that every
// key may read besides its top level. The names and their checks are the CLI's too (common/inputFolders.ts).
import { z } from 'zod';
import { MAX_SHARED_FOLDERS, normalizeSharedFolder, sharedFolderProblem } from '../common/inputFolders';

export const sharedInputFoldersSchema = z
  .array(z.string({ message: 'Each shared folder must be text.' }), { message: 'The shared folders must be a list of folder names.' })
  .max(MAX_SHARED_FOLDERS, { message: `At most ${MAX_SHARED_FOLDERS} folders can be shared.` })
  .superRefine((list, ctx) => {
    const seen = new Set<string>();
    for (const [i, entry] of list.entries()) {
      const folder = normalizeSharedFolder(entry);
      const problem = sharedFolderProblem(folder);
      if (problem) ctx.addIssue({ code: 'custom', path: [i], message: problem });
      else if (seen.has(folder)) ctx.addIssue({ code: 'custom', path: [i], message: `“${folder}” is listed twice.` });
      seen.add(folder);
    }
  })
  // Stored as the proxy compares them: "team/" and "/team" are "team".
  .transform((list) => list.map(normalizeSharedFolder));
