from dealership.navigation import nav_for


def shell(request) -> dict:
    """What the page shell needs: the navigation of the signed-in user's role."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    current = request.resolver_match.view_name if request.resolver_match else ""
    items = nav_for(user)
    return {"nav_items": items, "nav_current": current,
            "nav_has_badges": any(item.has_badge for item in items)}
