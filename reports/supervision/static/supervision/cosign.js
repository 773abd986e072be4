// Co-signing in the browser with WebCrypto Ed25519. The private key is made here; a
// non-extractable copy is kept in IndexedDB, and the only extractable copy ever made is
// wrapped (PBKDF2-SHA256 -> AES-256-GCM) into the backup file the supervisor downloads.
(function () {
  "use strict";
  const WORDS = JSON.parse(document.getElementById("cosign-words").textContent);
  const DB = "fundmgr-cosign", STORE = "keys", ITERATIONS = 600000;
  const enc = new TextEncoder();
  const hex = (buf) => Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, "0")).join("");
  const b64 = (buf) => btoa(String.fromCharCode(...new Uint8Array(buf)));
  const unb64 = (s) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
  // From the page, not the cookie: the cookie may be HttpOnly.
  const csrf = () => document.getElementById("cosign-csrf").value;

  function db() {
    return new Promise((resolve, reject) => {
      const req = indexedDB.open(DB, 1);
      req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: "key_id" });
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
  }
  async function put(record) {
    const d = await db();
    return new Promise((resolve, reject) => {
      const tx = d.transaction(STORE, "readwrite");
      tx.objectStore(STORE).put(record);
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
    });
  }
  async function get(keyId) {
    const d = await db();
    return new Promise((resolve, reject) => {
      const req = d.transaction(STORE).objectStore(STORE).get(keyId);
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
  }
  async function keyIdOf(rawPublic) {
    return hex(await crypto.subtle.digest("SHA-256", rawPublic)).slice(0, 16);
  }
  async function wrappingKey(passphrase, salt) {
    const base = await crypto.subtle.importKey("raw", enc.encode(passphrase), "PBKDF2", false, ["deriveKey"]);
    return crypto.subtle.deriveKey(
      { name: "PBKDF2", salt, iterations: ITERATIONS, hash: "SHA-256" },
      base, { name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"]);
  }
  function download(name, text) {
    const a = document.createElement("a");
    a.href = URL.createObjectURL(new Blob([text], { type: "application/json" }));
    a.download = name;
    document.body.appendChild(a);
    a.click();
    a.remove();
  }
  async function post(url, body) {
    const r = await fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
      body: JSON.stringify(body),
    });
    const data = await r.json().catch(() => ({}));
    if (!r.ok) throw new Error(data.error || r.statusText);
    return data;
  }
  async function keep(community, privatePkcs8, rawPublic) {
    // Re-import as non-extractable: from here on, script on this page can sign but never
    // read the key out.
    const privateKey = await crypto.subtle.importKey("pkcs8", privatePkcs8, { name: "Ed25519" }, false, ["sign"]);
    const keyId = await keyIdOf(rawPublic);
    await put({ key_id: keyId, community, public_key_hex: hex(rawPublic), privateKey });
    return keyId;
  }

  async function makeKey(section, say) {
    const community = section.dataset.community;
    const passphrase = section.querySelector(".passphrase").value;
    if (passphrase.length < 10) throw new Error(WORDS.short_passphrase);
    const pair = await crypto.subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"]);
    const pkcs8 = await crypto.subtle.exportKey("pkcs8", pair.privateKey);
    const rawPublic = await crypto.subtle.exportKey("raw", pair.publicKey);
    const keyId = await keyIdOf(rawPublic);
    const salt = crypto.getRandomValues(new Uint8Array(16));
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const aad = enc.encode("fundmgr.cosign-backup/1|" + community + "|" + keyId);
    const sealed = await crypto.subtle.encrypt(
      { name: "AES-GCM", iv, additionalData: aad }, await wrappingKey(passphrase, salt), pkcs8);
    const backup = {
      format: "fundmgr.cosign-backup/1", community, key_id: keyId, public_key_hex: hex(rawPublic),
      kdf: { name: "PBKDF2-SHA256", iterations: ITERATIONS, salt: b64(salt) },
      cipher: { name: "AES-256-GCM", iv: b64(iv), additional_data: "fundmgr.cosign-backup/1|<community>|<key_id>" },
      private_key_pkcs8: b64(sealed),
    };
    download("cosign-key-" + community + "-" + keyId + ".json", JSON.stringify(backup, null, 2));
    await keep(community, pkcs8, rawPublic);
    await post(section.dataset.addKey, { public_key: hex(rawPublic), origin: "browser" });
    say(WORDS.key_made.replace("%s", keyId));
    setTimeout(() => location.reload(), 600);
  }

  async function restore(section, say) {
    const file = section.querySelector(".restore-file").files[0];
    if (!file) throw new Error(WORDS.choose_file);
    const backup = JSON.parse(await file.text());
    const passphrase = section.querySelector(".passphrase").value;
    const aad = enc.encode("fundmgr.cosign-backup/1|" + backup.community + "|" + backup.key_id);
    let pkcs8;
    try {
      pkcs8 = await crypto.subtle.decrypt(
        { name: "AES-GCM", iv: unb64(backup.cipher.iv), additionalData: aad },
        await wrappingKey(passphrase, unb64(backup.kdf.salt)), unb64(backup.private_key_pkcs8));
    } catch (e) {
      throw new Error(WORDS.wrong_passphrase);
    }
    const rawPublic = Uint8Array.from(backup.public_key_hex.match(/../g), (h) => parseInt(h, 16));
    const keyId = await keep(backup.community, pkcs8, rawPublic);
    if (section.dataset.keyId && section.dataset.keyId !== keyId) throw new Error(WORDS.not_current);
    if (!section.dataset.keyId) await post(section.dataset.addKey, { public_key: backup.public_key_hex, origin: "browser" });
    say(WORDS.restored.replace("%s", keyId));
    setTimeout(() => location.reload(), 600);
  }

  async function cosign(section, row, button, say) {
    const keyId = section.dataset.keyId;
    const record = keyId && (await get(keyId));
    if (!record) throw new Error(WORDS.no_key_here);
    const message = enc.encode(button.dataset.message);
    const signature = await crypto.subtle.sign({ name: "Ed25519" }, record.privateKey, message);
    const result = await post(row.dataset.api, { key_id: keyId, signature: hex(signature) });
    say(WORDS.cosigned.replace("%s", row.dataset.month) + " " + result.cosigned + " / " + result.supervisors);
    row.children[1].textContent = result.cosigned + " / " + result.supervisors;
    button.replaceWith(Object.assign(document.createElement("span"), { className: "badge ok", textContent: WORDS.you_cosigned }));
  }

  document.querySelectorAll(".cosign-community").forEach(async (section) => {
    const out = section.querySelector(".cosign-result");
    const say = (text, bad) => { out.textContent = text; out.className = "cosign-result " + (bad ? "error" : "ok"); };
    const guard = (fn) => async (event) => {
      event.target.disabled = true;
      try { await fn(event); } catch (e) { say(e.message, true); } finally { event.target.disabled = false; }
    };
    if (!(window.crypto && crypto.subtle)) { say(WORDS.no_webcrypto, true); return; }
    if (section.dataset.keyId) {
      const here = await get(section.dataset.keyId).catch(() => null);
      const note = section.querySelector(".key-here");
      if (note) note.textContent = here ? WORDS.key_here : WORDS.key_elsewhere;
    }
    section.querySelector(".make-key").addEventListener("click", guard(() => makeKey(section, say)));
    section.querySelector(".restore-key").addEventListener("click", guard(() => restore(section, say)));
    section.querySelector(".register-key").addEventListener("click", guard(async () => {
      const data = await post(section.dataset.addKey, { public_key: section.querySelector(".pasted-key").value.trim(), origin: "command" });
      say(WORDS.key_made.replace("%s", data.key_id));
      setTimeout(() => location.reload(), 600);
    }));
    section.querySelectorAll("tr[data-month]").forEach((row) => {
      const button = row.querySelector("button.cosign");
      if (button) button.addEventListener("click", guard(() => cosign(section, row, button, say)));
    });
  });
})();
