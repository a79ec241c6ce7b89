import { copyFile, rename, rm } from 'node:fs/promises';
import { BrowserWindow, dialog, ipcMain, type IpcMainInvokeEvent } from 'electron';
import { exportFormats, reportFileFormats, type ExportFormat, type ReportFileFormat, type Result } from '../../shared';
import { tempPathFor } from '../../data/platform/partial-files';
import { dispatch, type ApiBackend } from '../host/dispatch';

function fromOurPage(event: IpcMainInvokeEvent): boolean {
  const url = event.senderFrame?.url ?? '';
  return url.startsWith('file:');
}

const denied: Result<never> = { ok: false, error: { code: 'BAD_REQUEST', message: 'This request did not come from Doppel’s own page.' } };

/**
 * Asks where to save a file an export wrote (the dialog asks before replacing an existing file) and copies it there
 * through a partial file, so a failed copy never leaves half a file under the chosen name.
 */
async function saveWithDialog(event: IpcMainInvokeEvent, res: Result<{ path: string; fileName: string }>, title: string): Promise<Result<{ saved: boolean }>> {
  if (!res.ok) return res;
  const win = BrowserWindow.fromWebContents(event.sender);
  // Linux needs the property; macOS and Windows always ask.
  const opts: Electron.SaveDialogOptions = { defaultPath: res.data.fileName, title, properties: ['showOverwriteConfirmation', 'createDirectory'] };
  const choice = win ? await dialog.showSaveDialog(win, opts) : await dialog.showSaveDialog(opts);
  if (choice.canceled || !choice.filePath) return { ok: true, data: { saved: false } };
  const partial = tempPathFor(choice.filePath);
  try {
    await copyFile(res.data.path, partial);
    await rename(partial, choice.filePath);
  } catch (e) {
    await rm(partial, { force: true });
    return {
      ok: false,
      error: {
        code: 'EXPORT_FAILED',
        message: `Could not save to ${choice.filePath}: ${e instanceof Error ? e.message : String(e)}`,
        fix: 'Choose a folder you can write to.',
      },
    };
  }
  return { ok: true, data: { saved: true } };
}

/** Binds the API to ipcMain (invoke + export download) and forwards execution events to every window. */
export function bindIpc(backend: ApiBackend): () => void {
  ipcMain.handle('doppel:invoke', async (event, channel: unknown, input: unknown) => {
    if (!fromOurPage(event) || typeof channel !== 'string') return denied;
    return dispatch(backend, channel, input);
  });

  ipcMain.handle('doppel:download', async (event, id: unknown, format: unknown, allowFormulas: unknown): Promise<Result<{ saved: boolean }>> => {
    if (!fromOurPage(event) || typeof id !== 'string' || !(exportFormats as readonly unknown[]).includes(format)) return denied;
    const res = (await dispatch(backend, 'executions.export', { id, format: format as ExportFormat, allowFormulas: allowFormulas === true })) as Result<{
      path: string;
      fileName: string;
    }>;
    return saveWithDialog(event, res, 'Save the synthetic data');
  });

  ipcMain.handle('doppel:download-report', async (event, ids: unknown, format: unknown): Promise<Result<{ saved: boolean }>> => {
    const validIds = Array.isArray(ids) && ids.length > 0 && ids.every((i) => typeof i === 'string');
    if (!fromOurPage(event) || !validIds || !(reportFileFormats as readonly unknown[]).includes(format)) return denied;
    const res = (await dispatch(backend, 'executions.exportReport', { ids, format: format as ReportFileFormat })) as Result<{ path: string; fileName: string }>;
    return saveWithDialog(event, res, ids.length === 1 ? 'Save the report' : 'Save the comparison');
  });

  const unsubscribe = backend.subscribe((event) => {
    for (const win of BrowserWindow.getAllWindows()) if (!win.isDestroyed()) win.webContents.send('doppel:event', event);
  });

  return () => {
    unsubscribe();
    ipcMain.removeHandler('doppel:invoke');
    ipcMain.removeHandler('doppel:download');
    ipcMain.removeHandler('doppel:download-report');
  };
}
