class SendError(Exception):
    """A channel could not deliver a message.

    `permanent` failures are never retried; `unreachable` ones (hard bounce, complaint, the
    recipient texted STOP) also revoke the consent of the address it went to.
    """

    def __init__(self, reason: str, *, permanent: bool, unreachable: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.unreachable = unreachable
