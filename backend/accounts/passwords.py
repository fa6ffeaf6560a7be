"""Password hashing (argon2id) and the password policy."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from backend.errors import Invalid

_hasher = PasswordHasher()
# A valid hash of a random password: verifying against it when the user does not exist costs
# the same time as a real check, so response timing does not reveal which usernames exist.
_DUMMY_HASH = _hasher.hash("not-a-real-password-4b1f")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


# Words that top every leaked-password list (and their Vietnamese favourites): with digits or
# symbols around them ("Password@123", "matkhau2026!") they are still the first guesses.
COMMON_WORDS = frozenset(
    {
        "password",
        "passw0rd",
        "p@ssw0rd",
        "qwerty",
        "qwertyuiop",
        "asdfghjkl",
        "abc",
        "abcdef",
        "admin",
        "administrator",
        "welcome",
        "iloveyou",
        "letmein",
        "matkhau",
        "anhyeuem",
        "emyeuanh",
        "vietnam",
        "hanoi",
        "saigon",
        "tiengdan",
    }
)
_AROUND = "0123456789!@#$%^&*()-_=+.,;:?/ "


def check_policy(password: str, username: str, min_length: int) -> None:
    """Refuse passwords that are short, single-class, common, or contain the username."""
    if len(password) < min_length:
        raise Invalid(f"password must have at least {min_length} characters")
    if password.isdigit() or password.isalpha():
        raise Invalid("password must mix letters with digits or symbols")
    if username and username.lower() in password.lower():
        raise Invalid("password must not contain the username")
    core = password.lower().strip(_AROUND)
    if core in COMMON_WORDS or password.lower() in COMMON_WORDS:
        raise Invalid("password is too common: choose one that is not on leaked-password lists")
