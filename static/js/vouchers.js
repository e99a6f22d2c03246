// The counter's voucher box: a handheld scanner types the code like a keyboard (and presses
// Enter), so the plain text field already works. Where the browser can read QR codes itself
// (BarcodeDetector, e.g. Chrome on Android tablets), a camera button appears too: the first
// QR code seen fills the box and looks it up.
(() => {
  const form = document.getElementById("voucher-lookup");
  if (!form || !("BarcodeDetector" in window) || !navigator.mediaDevices) {
    return;
  }
  const button = form.querySelector("[data-voucher-camera]");
  const video = form.querySelector("[data-voucher-video]");
  button.classList.remove("d-none");
  button.addEventListener("click", async () => {
    const detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    const stream = await navigator.mediaDevices.getUserMedia({
      video: { facingMode: "environment" },
    });
    video.srcObject = stream;
    video.classList.remove("d-none");
    await video.play();
    const look = async () => {
      const found = await detector.detect(video).catch(() => []);
      if (found.length) {
        stream.getTracks().forEach((track) => track.stop());
        form.elements.code.value = found[0].rawValue;
        form.submit();
        return;
      }
      window.requestAnimationFrame(look);
    };
    look();
  });
})();
