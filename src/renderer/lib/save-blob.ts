/** Saves text as a file through the browser's download (works in Electron and the loopback host alike). */
export function saveTextFile(fileName: string, text: string, type = 'application/json'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.rel = 'noopener';
  document.body.appendChild(a);
  a.click();
  a.remove();
  // The download has its own copy once click() returned; free the blob a little later.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
