from dealership.validators import normalize_id_number


def test_reference_id_number_is_valid():
    assert normalize_id_number("11010519491231002x") == "11010519491231002X"
