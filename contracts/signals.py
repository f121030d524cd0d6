"""What the contracts stage tells the stages above it, which it must not import.

`contract_cancelled` is sent inside the cancellation's transaction, after the contract
has moved to cancelled and before it commits: a receiver's writes (the delivery stage
releases the car allocated to the contract) commit or roll back with the cancellation,
and a receiver that raises rolls it back. Arguments: `contract` (locked, cancelled) and
`actor`.

`contract_signed` is sent inside the signing's transaction, after the contract has its
number and has moved to signed (the after-sales stage credits a referrer's points): a
receiver's writes commit or roll back with the signing. Arguments: `contract` (locked,
signed) and `actor`."""

from django.dispatch import Signal

contract_cancelled = Signal()
contract_signed = Signal()
