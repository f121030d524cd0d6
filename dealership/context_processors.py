from dealership.navigation import nav_for, nav_sections


def shell(request) -> dict:
    """What the page shell needs: the signed-in user's menu, by section."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "nav_sections": []}
    current = request.resolver_match.view_name if request.resolver_match else ""
    items = nav_for(user)
    here = next((item for item in items if item.url_name == current), None)
    return {"nav_items": items, "nav_sections": nav_sections(items, current=current),
            "nav_current": current, "nav_current_label": here.label if here else "",
            "nav_has_badges": any(item.has_badge for item in items)}
